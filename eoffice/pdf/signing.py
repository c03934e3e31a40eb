"""Signing the letters an office issues (PAdES, with pyHanko) and checking such signatures.

The office's key is a PKCS#12 file: `EOFFICE_SIGNING_P12` (its passphrase in
`EOFFICE_SIGNING_P12_PASSWORD`), or, when unset, a key and self-signed certificate generated
into the instance folder on first use (`signing.p12`, mode 0600, no passphrase: the folder is the
owner's alone, as for the other secrets kept there). The certificate is the office's; each
signature names, in its /Name and /Reason, the officer the letter is signed for (the one who
approved it) and their desk. Validation trusts the certificate of the office's key (and the CA
certificates its PKCS#12 file carries).

A signature is an incremental update: the bytes WeasyPrint wrote stay as they were, so the
audit stamp in the PDF's metadata (eoffice.audit.stamps) still reads the same."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FIELD_NAME = "eoffice-signature"
GENERATED_NAME = "signing.p12"
GENERATED_YEARS = 10


@dataclass(frozen=True)
class SigningKey:
    """The office's signer (pyHanko's SimpleSigner) and the certificates validation trusts."""

    signer: object  # pyhanko.sign.signers.SimpleSigner
    certificate: object  # asn1crypto.x509.Certificate
    trust_roots: tuple

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly


@dataclass(frozen=True)
class SignatureCheck:
    """What the validator says of the (first) signature of a PDF."""

    signed: bool
    valid: bool = False
    signer: str | None = None  # the name the signature is made for (the approving officer)
    reason: str | None = None
    signed_at: dt.datetime | None = None
    certificate: str | None = None  # the subject of the office's certificate
    problem: str | None = None

    @classmethod
    def unsigned(cls) -> SignatureCheck:
        return cls(signed=False)


_cache: dict[tuple, SigningKey] = {}
_lock = threading.Lock()


def office_key(config: dict) -> SigningKey:
    """The office's signing key from the settings (loaded once per file and passphrase)."""
    path = config.get("SIGNING_P12")
    password = config.get("SIGNING_P12_PASSWORD")
    if path:
        path = Path(path)
    else:
        path = Path(config["INSTANCE"]) / GENERATED_NAME
        password = None
    cache_key = (str(path), password)
    with _lock:
        key = _cache.get(cache_key)
        if key is None:
            if not config.get("SIGNING_P12") and not path.exists():
                generate_p12(path, _subject_name(config))
            key = load_p12(path.read_bytes(), password)
            _cache[cache_key] = key
        return key


def _subject_name(config: dict) -> str:
    named = config.get("SIGNING_NAME")
    if named:
        return str(named)
    instance = Path(config["INSTANCE"]).name or "instance"
    return f"eOffice {instance}"


def load_p12(data: bytes, password: str | None = None) -> SigningKey:
    from pyhanko.sign.signers import SimpleSigner

    passphrase = password.encode("utf-8") if password else None
    signer = SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)
    cert = signer.signing_cert
    others = tuple(c for c in signer.cert_registry if c.self_signed and c != cert)
    return SigningKey(signer=signer, certificate=cert, trust_roots=(cert, *others))


def generate_p12(path: Path, common_name: str) -> None:
    """A key and a self-signed certificate naming the instance, as a PKCS#12 file (0600).
    Written to a temporary name and linked into place: two processes starting at once keep
    one key (the second one's link fails and it reads the first one's file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())  # ECDSA P-256: quick to make, PAdES-accepted
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "eOffice"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * GENERATED_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        common_name.encode("utf-8"), key, cert, None, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
    finally:
        tmp.unlink(missing_ok=True)
    log.info("generated a signing key and self-signed certificate in %s", path)


def outside_any_event_loop(fn, *args, **kwargs):
    """Call pyHanko's synchronous API, which runs its own asyncio loop (asyncio.run): in a
    thread of its own when this thread already runs a loop (a server or a test harness that is
    asynchronous itself), directly otherwise."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="eoffice-sign") as pool:
        return pool.submit(fn, *args, **kwargs).result()


def sign_pdf(
    data: bytes,
    key: SigningKey,
    *,
    name: str,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Sign the PDF (PAdES baseline B, an invisible signature field) in the name of `name`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
    )
    out = outside_any_event_loop(signers.sign_pdf, writer, meta, signer=key.signer)
    return out.getvalue()


def check_signature(data: bytes, key: SigningKey) -> SignatureCheck:
    """Validate the PDF's first signature against the office's certificate. A PDF with no
    signature (or no PDF at all) is unsigned; a signature that does not cover the whole file,
    does not match the bytes or is not by a trusted certificate is not valid."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF"):
        return SignatureCheck.unsigned()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return SignatureCheck(signed=False, problem=f"not a readable PDF: {exc}")
    if not embedded:
        return SignatureCheck.unsigned()
    sig = embedded[0]
    try:
        sig_dict = sig.sig_object
        signer = _text(sig_dict.get("/Name"))
        reason = _text(sig_dict.get("/Reason"))
    except Exception as exc:  # noqa: BLE001 - a signature dictionary that does not read
        return SignatureCheck(signed=True, problem=f"the signature does not read: {exc}")
    try:
        status = outside_any_event_loop(
            validate_pdf_signature,
            sig,
            ValidationContext(trust_roots=list(key.trust_roots), allow_fetching=False),
        )
    except Exception as exc:  # noqa: BLE001 - whatever breaks in a tampered file is "not valid"
        return SignatureCheck(
            signed=True, valid=False, signer=signer, reason=reason, problem=str(exc)
        )
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    valid = bool(status.bottom_line and whole)
    problem = None
    if not status.intact:
        problem = "the document was changed after it was signed"
    elif not status.valid:
        problem = "the signature does not match the certificate"
    elif not status.trusted:
        problem = "the certificate is not the office's"
    elif not whole:
        problem = "the signature does not cover the whole file"
    signed_at = status.signer_reported_dt
    if signed_at is not None and signed_at.tzinfo is None:
        signed_at = signed_at.replace(tzinfo=dt.UTC)
    return SignatureCheck(
        signed=True,
        valid=valid,
        signer=signer,
        reason=reason,
        signed_at=signed_at,
        certificate=status.signing_cert.subject.human_friendly,
        problem=problem,
    )


def _text(value) -> str | None:
    if value is None:
        return None
    return str(value)
