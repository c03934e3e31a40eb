"""Citizens' secrets and check codes (API.md, general rules).

- A **check code** makes a public number unguessable: a keyed hash (HMAC) of the number, printed
  in the verify link of every citizen document (`/verify/<number>?c=<check>`).
- A **citizen secret** (a complaint's tracking key, a tip's receipt) is random, shown once and
  kept only as a keyed slow hash: scrypt over an HMAC of the secret, so a copy of the database
  alone cannot be used to test guesses, and each guess costs real work.
- A wrong secret must answer exactly like a missing number: `verify_secret(None, ...)` does the
  same work against a dummy hash, so both paths cost one slow hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# Crockford's base32 without I, L, O, U: nothing to misread when copied from a phone
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# scrypt's cost (2**LOG_N); the suite lowers it (set_cost) to stay quick
_cost = {"log_n": 14, "r": 8, "p": 1}
hash_calls = 0  # how many slow hashes this process computed (the timing test counts them)


def set_cost(log_n: int, r: int = 8, p: int = 1) -> None:
    _cost.update(log_n=log_n, r=r, p=p)


def check_code(key: str, number: str, purpose: str = "verify") -> str:
    """10 characters of HMAC-SHA256(number): 50 bits, printed beside the number."""
    mac = hmac.new(key.encode(), f"{purpose}:{number}".encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % 32] for b in mac[:10])


def check_matches(key: str, number: str, code: str | None, purpose: str = "verify") -> bool:
    return bool(code) and hmac.compare_digest(
        check_code(key, number, purpose), code.strip().upper()
    )


def new_tracking_key() -> str:
    """20 characters of base32 (100 bits), in groups of four: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 4] for i in range(0, 20, 4))


def new_digits(n: int = 16) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def normalise_secret(secret: str) -> str:
    """What a citizen typed, as compared: no spaces or dashes, upper case, O read as 0."""
    text = "".join(ch for ch in secret if ch.isalnum()).upper()
    return text.replace("O", "0").replace("I", "1").replace("L", "1")


def _slow(key: str, secret: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    global hash_calls
    hash_calls += 1
    peppered = hmac.new(key.encode(), normalise_secret(secret).encode(), hashlib.sha256).digest()
    return hashlib.scrypt(peppered, salt=salt, n=2**log_n, r=r, p=p, dklen=32, maxmem=2**27)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(key: str, secret: str) -> str:
    """`scrypt$<log_n>$<r>$<p>$<salt>$<hash>`: the parameters travel with the hash."""
    salt = secrets.token_bytes(16)
    c = _cost
    digest = _slow(key, secret, salt, c["log_n"], c["r"], c["p"])
    return f"scrypt${c['log_n']}${c['r']}${c['p']}${_b64(salt)}${_b64(digest)}"


_DUMMY: dict[tuple, str] = {}


def verify_secret(key: str, stored: str | None, secret: str | None) -> bool:
    """Does `secret` match `stored`? With nothing stored (no such number) the same work is done
    against a dummy hash, so a missing number and a wrong key cost the same."""
    secret = secret or ""
    if not stored:
        params = (_cost["log_n"], _cost["r"], _cost["p"])
        if params not in _DUMMY:
            _DUMMY[params] = hash_secret(key, "dummy")
        stored, secret, real = _DUMMY[params], secret + "\0", False
    else:
        real = True
    try:
        _algo, log_n, r, p, salt, digest = stored.split("$")
        candidate = _slow(key, secret, _unb64(salt), int(log_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate, _unb64(digest)) and real


def day_key(key: str, day: str) -> bytes:
    """A key that changes every day (for counters that must not hold an address)."""
    return hmac.new(key.encode(), f"day:{day}".encode(), hashlib.sha256).digest()


def lookup_hash(key: str, secret: str, purpose: str) -> str:
    """A keyed slow hash that finds a record by its secret alone (a tip's receipt has no number
    beside it): scrypt with a salt of the instance and purpose, so the same secret always gives
    the same hash, one slow hash per try, and a copy of the database without the key tests no
    guess. `scrypt$<log_n>$<r>$<p>$<hash>`: the cost in force when it was made."""
    salt = hmac.new(key.encode(), f"lookup-salt:{purpose}".encode(), hashlib.sha256).digest()[:16]
    c = _cost
    digest = _slow(key, secret, salt, c["log_n"], c["r"], c["p"])
    return f"scrypt${c['log_n']}${c['r']}${c['p']}${_b64(digest)}"
