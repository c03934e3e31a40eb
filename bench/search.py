"""How fast is search on a district-sized database?

    .venv/bin/python -m bench.search                       # bench/out/efile-50000.sqlite3
    .venv/bin/python -m bench.search --limit 50000          # a quicker partial run

Works on a migrated copy of the benchmark database (made by `python -m bench` / bench.generate).
Everything is measured in the same run, on the same texts, against references:

- indexing: our documents into Whoosh with our schema and Hindi-aware analyzer, as documents per
  second, against plain Whoosh with its stock analyzer fed the same documents, and SQLite FTS5
  (tokenize "unicode61 categories 'L* N* Co M*'", the fair setting for Hindi); one pass feeds all
  three in turn, each call timed on its own. `--rebuild` also times a whole
  `eoffice search rebuild`, which reads the database too;
- queries: p50 and p95 of word, phrase and filtered queries in Hindi and English on our index
  (our parser, our analyzer; what search() does short of the database: the matches, kept by the
  access scope and the filters, counted, and the first 20 by relevance), against plain Whoosh
  with the stock analyzer (its count and first 20) and FTS5 doing the same work (the count, and
  the first 20 by its rank). The hit counts are printed too: the stock analyzer cuts Hindi words
  into pieces, so its Hindi answers are fast partly because they are wrong.
- the whole `search()` a user calls (access scope from the database, hits re-checked, snippets
  built from database text) for the range's auditor and for a thana's officer, against FTS5 the
  same query with the same access rule written in SQL (audited offices, files the user's desks
  handled, documents at their desks): the count, and the first 20 by rank with their titles and
  a highlighted snippet (FTS5's snippet()), as the page shows them.
- the goals of issue 16, each a ratio in this run: a common two-word phrase p95 against FTS5
  (at most 3x), the auditor's whole search() p95 against FTS5 + the access filter (at most 3x),
  and the rebuild's documents per second against stock Whoosh's (at least 0.8x).
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click
import sqlalchemy as sa
from whoosh import fields, qparser
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer

from eoffice import create_app, migrate
from eoffice.auth.models import User
from eoffice.core import kinds
from eoffice.org.models import Office
from eoffice.search import documents
from eoffice.search.engine import WhooshSearch
from eoffice.search.index import writer
from eoffice.search.matching import match
from eoffice.search.query import Scope, SearchQuery, _best, filters_for, parse
from eoffice.search.schema import CATEGORY_CODES, kinds_indexed, status_codes

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"

PHRASE_GOAL = "phrase, Hindi"
QUERIES = [
    ("word, Hindi", "शिकायत", {}),
    ("word, English", "witnesses", {}),
    ("phrase, Hindi", '"अर्जित अवकाश"', {}),
    ("phrase, English", '"charge sheet"', {}),
    ("prefix, Hindi", "स्थाना*", {}),
    ("filtered, Hindi (notes, category A)", "जांच", {"kind": "note", "category": "A"}),
    ("filtered, English (files, closed)", "transfer", {"kind": "file", "status": "closed"}),
]


def stock_schema() -> fields.Schema:
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        kind=fields.ID(),
        status=fields.ID(),
        category=fields.ID(),
        number=fields.TEXT(analyzer=StandardAnalyzer()),
        title=fields.TEXT(analyzer=StandardAnalyzer()),
        body=fields.TEXT(analyzer=StandardAnalyzer()),
    )


STOCK_FIELDS = ("doc_id", "kind", "status", "category", "number", "title", "body")


def stock_doc(doc: dict) -> dict:
    """The same document for plain Whoosh and FTS5: texts, plus the filters as plain fields."""
    out = {k: v for k, v in doc.items() if k in STOCK_FIELDS}
    for name, codes in (("status", status_codes()), ("category", CATEGORY_CODES)):
        names = {code: text for text, code in codes.items()}
        if doc.get(f"c_{name}"):
            out[name] = names[doc[f"c_{name}"]]
    return out


def stream(database, limit: int | None):
    """The same documents, in the same order, for every engine."""
    n = 0
    with database.sessionmaker() as session:
        for kind in kinds_indexed():
            for doc in documents.all_documents(session, kind):
                yield doc
                n += 1
                if limit and n >= limit:
                    return


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def timeit(fn, reps: int) -> tuple[list[float], int]:
    fn()  # warm up
    times, hits = [], 0
    for _ in range(reps):
        t = time.perf_counter()
        hits = fn()
        times.append(time.perf_counter() - t)
    return times, hits


def fts_query(text: str, opts: dict) -> tuple[str, str, list]:
    """FTS5's count and its first 20 by rank for the same query and filters."""
    where, args = ["docs MATCH ?"], [text]
    for key in ("kind", "status", "category"):
        if key in opts:
            where.append(f"{key} = ?")
            args.append(opts[key])
    cond = " AND ".join(where)
    return (
        f"SELECT count(*) FROM docs WHERE {cond}",
        f"SELECT doc_id FROM docs WHERE {cond} ORDER BY rank LIMIT 20",
        args,
    )


# the access rule of search() in SQL: the offices the user audits (their desks' offices and all
# below), the files their desks handled, the documents at their desks
ACCESS_SQL = """
WITH RECURSIVE
  mydesks(id) AS (SELECT desk_id FROM app.desk_holdings WHERE user_id = :user AND until IS NULL),
  top(id) AS (SELECT d.office_id FROM app.desks d WHERE d.id IN mydesks AND :auditor),
  below(id) AS (SELECT id FROM top
    UNION SELECT o.id FROM app.offices o JOIN below ON o.parent_id = below.id)
SELECT {what} FROM docs JOIN meta m ON m.rowid = docs.rowid
WHERE docs MATCH :q AND (m.office IN below OR m.desk1 IN mydesks OR m.desk2 IN mydesks
  OR m.file IN (SELECT file_id FROM app.file_access WHERE desk_id IN mydesks))
{tail}
"""


def fts_access(fts, user, text: str) -> int:
    args = {"user": user.id, "auditor": int(user.has_role("auditor")), "q": text}
    total = fts.execute(ACCESS_SQL.format(what="count(*)", tail=""), args).fetchone()[0]
    # the page as search() shows it: ids, titles, a highlighted snippet of the body
    page = "docs.doc_id, docs.title, snippet(docs, 6, '<mark>', '</mark>', ' … ', 24)"
    fts.execute(ACCESS_SQL.format(what=page, tail="ORDER BY docs.rank LIMIT 20"), args).fetchall()
    return total


def ratio_line(label: str, ours: float, ref: float, goal: str, ok: bool) -> str:
    verdict = "met" if ok else "missed"
    cells = (label, f"{ours * 1000:.1f} ms", f"{ref * 1000:.1f} ms", f"{ours / ref:.2f}", goal)
    return "| " + " | ".join(cells) + f" | {verdict} |"


@click.command()
@click.option(
    "--db", "db_path", type=click.Path(path_type=Path), default=OUT / "efile-50000.sqlite3"
)
@click.option("--limit", type=int, default=None, help="index only the first N documents")
@click.option("--reps", default=50, show_default=True, help="timed runs per query")
@click.option("--rebuild", is_flag=True, help="also time a whole `eoffice search rebuild`")
def main(db_path: Path, limit: int | None, reps: int, rebuild: bool) -> None:
    if not db_path.exists():
        raise click.ClickException(f"{db_path} is missing: run `python -m bench` once to make it")
    work = Path(tempfile.mkdtemp(prefix="eoffice-bench-search-"))
    try:
        copy = work / "bench.sqlite3"
        click.echo(f"copying and migrating {db_path} ...", err=True)
        shutil.copy(db_path, copy)
        url = f"sqlite:///{copy}"
        migrate.upgrade(url)
        app = create_app(
            {"DATABASE_URL": url, "INSTANCE": work / "instance", "INDEX_DIR": work / "ix"}
        )
        database = app.extensions["eoffice.db"]
        with database.sessionmaker() as session:
            total = sum(documents.count(session, k) for k in kinds_indexed())
        n_docs = min(total, limit) if limit else total
        click.echo(f"{n_docs:,} documents to index", err=True)

        # --- indexing --------------------------------------------------------------------------
        # One pass over the documents feeds all three engines in turn, each call timed on its
        # own, so a change in the machine's load falls on all of them alike.
        # the app's search engine, on an index of its own that this run fills by hand
        engine = WhooshSearch(database, work / "ours", app.extensions["eoffice.store"])
        app.extensions["eoffice.search"] = engine
        home = engine.home
        folder = home.new_generation()
        oix = whoosh_index.open_dir(str(folder))
        ow = writer(oix, limitmb=128)  # the app's writer (eoffice.search.index.writer)
        stock_dir = work / "stock"
        stock_dir.mkdir()
        six = whoosh_index.create_in(str(stock_dir), stock_schema())
        sw = six.writer(limitmb=128)
        fts = sqlite3.connect(work / "fts.sqlite3")
        fts.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(doc_id UNINDEXED, kind UNINDEXED, "
            "status UNINDEXED, category UNINDEXED, number, title, body, "
            "tokenize=\"unicode61 categories 'L* N* Co M*'\")"
        )
        # what the access rule reads, by the FTS5 row id (filled outside the clock)
        fts.execute(
            "CREATE TABLE meta (rowid INTEGER PRIMARY KEY, office INT, file INT, desk1 INT, "
            "desk2 INT)"
        )
        insert = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)"
        ours_s = stock_s = fts_s = read_s = 0.0
        clock = time.perf_counter
        docs_in = stream(database, limit)
        with click.progressbar(length=n_docs, label="indexing", file=sys.stderr) as bar:
            i = 0
            while True:
                t = clock()
                doc = next(docs_in, None)
                read_s += clock() - t
                if doc is None:
                    break
                i += 1
                plain = stock_doc(doc)
                row = tuple(plain.get(k, "") for k in STOCK_FIELDS)
                t0 = clock()
                ow.add_document(**doc)
                t1 = clock()
                sw.add_document(**plain)
                t2 = clock()
                cur = fts.execute(insert, row)
                t3 = clock()
                ours_s, stock_s, fts_s = ours_s + t1 - t0, stock_s + t2 - t1, fts_s + t3 - t2
                fts.execute(
                    "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                    (cur.lastrowid, doc["c_office"], doc["c_file"], doc["c_desk1"], doc["c_desk2"]),
                )
                if i % 1000 == 0:
                    bar.update(1000)
        for name, commit in (("ours", ow.commit), ("stock", sw.commit), ("fts", fts.commit)):
            t = clock()
            commit()
            took = clock() - t
            if name == "ours":
                ours_s += took
            elif name == "stock":
                stock_s += took
            else:
                fts_s += took
        home.seal(folder)
        home.swap(folder)
        fts.execute("ATTACH DATABASE ? AS app", (str(copy),))
        rebuild_line, rebuild_s = "", None
        if rebuild:
            t = clock()
            WhooshSearch(database, work / "rebuild").rebuild()
            rebuild_s = took = clock() - t
            rebuild_line = (
                f"| `eoffice search rebuild` (reads the database too) | {took:.1f} "
                f"| {n_docs / took:,.0f} | {(stock_s + read_s) / took:.2f}× the speed "
                f"of stock + the same reads ({stock_s / took:.2f}× stock alone) |"
            )

        lines = [
            f"Search benchmark: {n_docs:,} documents (files, notes, receipts, drafts) "
            f"from {db_path.name}",
            "",
            "| indexing | seconds | documents/s | ratio to stock Whoosh |",
            "|---|---:|---:|---:|",
            f"| ours (Hindi-aware words, word pairs, filter columns) | {ours_s:.1f} "
            f"| {n_docs / ours_s:,.0f} | {stock_s / ours_s:.2f}× the speed |",
            f"| plain Whoosh, stock analyzer | {stock_s:.1f} | {n_docs / stock_s:,.0f} | 1.00× |",
            f"| SQLite FTS5 (reference) | {fts_s:.1f} | {n_docs / fts_s:,.0f} "
            f"| {stock_s / fts_s:.2f}× the speed |",
            f"| reading the documents from the database (the same pass) | {read_s:.1f} "
            f"| {n_docs / read_s:,.0f} | |",
            *([rebuild_line] if rebuild_line else []),
            "",
            "| query | ours p50 / p95 ms (hits) | stock Whoosh p50 / p95 ms (hits) "
            "| ratio p50 | FTS5 p50 / p95 ms (hits) | ratio to FTS5 p95 |",
            "|---|---|---|---:|---|---:|",
        ]
        goals: list[str] = []

        # --- queries ---------------------------------------------------------------------------
        oix = home.open()
        with database.sessionmaker() as session:
            everyone = Scope(set(session.scalars(sa.select(Office.id))), set(), set())
        stock_parser = qparser.MultifieldParser(["number", "title", "body"], six.schema)
        os_ = home.searcher()  # the app's searcher (its BM25F reads lengths from arrays)
        with six.searcher() as ss:
            for label, text, opts in QUERIES:
                ours_q = parse(oix.schema, text)
                stock_q = stock_parser.parse(text)
                flt = [wq.Term(k, v) for k, v in opts.items()]
                if flt:
                    stock_q = wq.And([stock_q, *flt])
                sq = SearchQuery(q=text, **opts)

                def run_ours(q=ours_q, sq=sq):
                    # as search() does it: the matches, kept by the scope (here one that sees
                    # everything) and the filters, counted; then the first 20 by relevance
                    parts = match(os_, q, everyone, filters_for(sq))
                    total = sum(len(p.allowed) for p in parts)
                    if total:
                        _best(os_, q, parts, 20)
                    return total

                def run_stock(q=stock_q):
                    # plain Whoosh: filters as query terms, the first 20, and its own count
                    return len(ss.search(q, limit=20))

                count_sql, page_sql, args = fts_query(text, opts)

                def run_fts(count_sql=count_sql, page_sql=page_sql, args=args):
                    fts.execute(page_sql, args).fetchall()
                    return fts.execute(count_sql, args).fetchone()[0]

                ot, oh = timeit(run_ours, reps)
                st, sh = timeit(run_stock, reps)
                try:
                    ft, fh = timeit(run_fts, reps)
                    fts_cell = (
                        f"{statistics.median(ft) * 1000:.1f} / {percentile(ft, 95) * 1000:.1f} "
                        f"({fh:,})"
                    )
                    fts_ratio = f"{percentile(ot, 95) / percentile(ft, 95):.2f}"
                except sqlite3.OperationalError as exc:
                    ft, fts_cell, fts_ratio = None, f"n/a ({exc})", ""
                lines.append(
                    f"| {label}: `{text}` | {statistics.median(ot) * 1000:.1f} / "
                    f"{percentile(ot, 95) * 1000:.1f} ({oh:,}) | {statistics.median(st) * 1000:.1f}"
                    f" / {percentile(st, 95) * 1000:.1f} ({sh:,}) | "
                    f"{statistics.median(ot) / statistics.median(st):.2f} | {fts_cell} "
                    f"| {fts_ratio} |"
                )
                if label == PHRASE_GOAL and ft:
                    ours95, ref95 = percentile(ot, 95), percentile(ft, 95)
                    goals.append(
                        ratio_line(
                            f"Whoosh phrase, common two words (`{text}`, {oh:,} hits), p95 "
                            "vs FTS5 (count + first 20)",
                            ours95,
                            ref95,
                            "≤ 3×",
                            ours95 <= 3 * ref95,
                        )
                    )

        # --- the whole search() for a user ------------------------------------------------------
        with app.app_context(), database.sessionmaker() as session:
            users = [
                (
                    "the range's auditor",
                    next(
                        (u for u in session.scalars(sa.select(User)) if u.has_role("auditor")), None
                    ),
                ),
                (
                    "a thana's officer (its desks' files)",
                    session.scalar(
                        sa.select(User)
                        .where(User.username.like("sho.%"))
                        .order_by(User.id)
                        .limit(1)
                    ),
                ),
            ]
            lines += [
                "",
                "| whole search() | p50 / p95 ms (hits) "
                "| FTS5 + the same access in SQL p50 / p95 ms (hits) | ratio p95 |",
                "|---|---|---|---:|",
            ]
            for who, user in users:
                if user is None:
                    continue
                for label, text, opts in QUERIES[:4]:
                    sq = SearchQuery(q=text, kind=opts.get("kind"))
                    ut, uh = timeit(lambda sq=sq, u=user: engine.search(session, u, sq).total, reps)
                    ft, fh = timeit(lambda text=text, u=user: fts_access(fts, u, text), reps)
                    ours95, ref95 = percentile(ut, 95), percentile(ft, 95)
                    lines.append(
                        f"| {who}, {label}: `{text}` | {statistics.median(ut) * 1000:.1f} / "
                        f"{ours95 * 1000:.1f} ({uh:,}) | {statistics.median(ft) * 1000:.1f} / "
                        f"{ref95 * 1000:.1f} ({fh:,}) | {ours95 / ref95:.2f} |"
                    )
                    if user.has_role("auditor") and label.startswith("word") and uh:
                        goals.append(
                            ratio_line(
                                f"whole search() for the auditor, word query `{text}` "
                                f"({uh:,} hits), p95 vs FTS5 + the access filter in SQL",
                                ours95,
                                ref95,
                                "≤ 3×",
                                ours95 <= 3 * ref95,
                            )
                        )
        goals.append(
            f"| Whoosh indexing in the one pass (each call timed, the engines in turn: the same "
            f"load), docs/s | {n_docs / ours_s:,.0f} | {n_docs / stock_s:,.0f} "
            f"| {stock_s / ours_s:.2f} | ≥ 0.8× "
            f"| {'met' if stock_s <= 1.25 * ours_s else 'missed'} |"
        )
        if rebuild_s:
            ours_rate, stock_rate = n_docs / rebuild_s, n_docs / (stock_s + read_s)
            goals.append(
                f"| Whoosh rebuild (`eoffice search rebuild`, reads the database, timed after the "
                f"pass) vs stock Whoosh + the same reads, docs/s | {ours_rate:,.0f} "
                f"| {stock_rate:,.0f} | {ours_rate / stock_rate:.2f} | ≥ 0.8× "
                f"| {'met' if ours_rate >= 0.8 * stock_rate else 'missed'} |"
            )
        lines += [
            "",
            "| goal (issue 16) | ours | reference | ratio | goal | |",
            "|---|---:|---:|---:|---|---|",
            *goals,
        ]
        click.echo("\n".join(lines))
        fts.close()
        database.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
