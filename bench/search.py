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
  (our parser, our analyzer), each as a ratio to plain Whoosh with the stock analyzer and to FTS5.
  The hit counts are printed too: the stock analyzer cuts Hindi words into pieces, so its Hindi
  answers are fast partly because they are wrong.
- the whole `search()` a user calls (access filter from the database, hits re-checked, snippets
  built from database text) for an auditor who sees the district, against our bare query.
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
from eoffice.search.query import Scope, SearchQuery, matching_docs, parse
from eoffice.search.schema import CATEGORY_CODES, kinds_indexed, status_codes

kinds.load_modules()

OUT = Path(__file__).resolve().parent / "out"

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


def fts_query(text: str, opts: dict) -> tuple[str, list]:
    where, args = ["docs MATCH ?"], [text.replace("*", "*")]
    for key in ("kind", "status", "category"):
        if key in opts:
            where.append(f"{key} = ?")
            args.append(opts[key])
    return f"SELECT count(*) FROM docs WHERE {' AND '.join(where)}", args


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
        ow = oix.writer(limitmb=128)
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
        insert = "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)"
        ours_s = stock_s = fts_s = 0.0
        clock = time.perf_counter
        with click.progressbar(length=n_docs, label="indexing", file=sys.stderr) as bar:
            for i, doc in enumerate(stream(database, limit), 1):
                plain = stock_doc(doc)
                row = tuple(plain.get(k, "") for k in STOCK_FIELDS)
                t0 = clock()
                ow.add_document(**doc)
                t1 = clock()
                sw.add_document(**plain)
                t2 = clock()
                fts.execute(insert, row)
                t3 = clock()
                ours_s, stock_s, fts_s = ours_s + t1 - t0, stock_s + t2 - t1, fts_s + t3 - t2
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
        rebuild_line = ""
        if rebuild:
            t = clock()
            WhooshSearch(database, work / "rebuild").rebuild()
            took = clock() - t
            rebuild_line = (
                f"| `eoffice search rebuild` (reads the database too) | {took:.1f} "
                f"| {n_docs / took:,.0f} | {stock_s / took:.2f}× the speed |"
            )

        lines = [
            f"Search benchmark: {n_docs:,} documents (files, notes, receipts, drafts) "
            f"from {db_path.name}",
            "",
            "| indexing | seconds | documents/s | ratio to stock Whoosh |",
            "|---|---:|---:|---:|",
            f"| ours (Hindi-aware analyzer, filter fields) | {ours_s:.1f} | {n_docs / ours_s:,.0f} "
            f"| {stock_s / ours_s:.2f}× the speed |",
            f"| plain Whoosh, stock analyzer | {stock_s:.1f} | {n_docs / stock_s:,.0f} | 1.00× |",
            f"| SQLite FTS5 (reference) | {fts_s:.1f} | {n_docs / fts_s:,.0f} "
            f"| {stock_s / fts_s:.2f}× the speed |",
            *([rebuild_line] if rebuild_line else []),
            "",
            "| query | ours p50 / p95 ms (hits) | stock Whoosh p50 / p95 ms (hits) "
            "| ratio p50 | FTS5 p50 ms (hits) |",
            "|---|---|---|---:|---:|",
        ]

        # --- queries ---------------------------------------------------------------------------
        oix = home.open()
        with database.sessionmaker() as session:
            everyone = Scope(set(session.scalars(sa.select(Office.id))), set(), set())
        stock_parser = qparser.MultifieldParser(["number", "title", "body"], six.schema)
        with oix.searcher() as os_, six.searcher() as ss:
            for label, text, opts in QUERIES:
                ours_q = parse(oix.schema, text)
                stock_q = stock_parser.parse(text)
                flt = [wq.Term(k, v) for k, v in opts.items()]
                if flt:
                    stock_q = wq.And([stock_q, *flt])
                sq = SearchQuery(q=text, **opts)

                def run_ours(q=ours_q, sq=sq):
                    # as the app does it: the matches, kept by the columns (here a scope that
                    # sees everything), counted; then the first 20 by relevance among them
                    allowed = matching_docs(os_, q, everyone, sq)
                    if allowed:
                        os_.search(q, filter=allowed, limit=20)
                    return len(allowed)

                def run_stock(q=stock_q):
                    # plain Whoosh: filters as query terms, the first 20, and its own count
                    return len(ss.search(q, limit=20))

                sql, args = fts_query(text, opts)

                def run_fts(sql=sql, args=args):
                    return fts.execute(sql, args).fetchone()[0]

                ot, oh = timeit(run_ours, reps)
                st, sh = timeit(run_stock, reps)
                try:
                    ft, fh = timeit(run_fts, reps)
                    fts_cell = f"{statistics.median(ft) * 1000:.1f} ({fh:,})"
                except sqlite3.OperationalError as exc:
                    fts_cell = f"n/a ({exc})"
                lines.append(
                    f"| {label}: `{text}` | {statistics.median(ot) * 1000:.1f} / "
                    f"{percentile(ot, 95) * 1000:.1f} ({oh:,}) | {statistics.median(st) * 1000:.1f}"
                    f" / {percentile(st, 95) * 1000:.1f} ({sh:,}) | "
                    f"{statistics.median(ot) / statistics.median(st):.2f} | {fts_cell} |"
                )

        # --- the whole search() for a user ------------------------------------------------------
        with app.app_context(), database.sessionmaker() as session:
            auditor = (
                session.scalar(sa.select(User).where(User.roles.contains("auditor")).limit(1))
                if hasattr(User.roles, "contains")
                else None
            )
            if auditor is None:
                auditor = next(
                    (u for u in session.scalars(sa.select(User)) if u.has_role("auditor")), None
                )
            if auditor is not None:
                lines += [
                    "",
                    "| whole search() for an auditor | p50 / p95 ms | ratio to bare query p50 |",
                    "|---|---|---:|",
                ]
                for label, text, opts in QUERIES[:2]:
                    sq = SearchQuery(q=text, kind=opts.get("kind"))
                    ut, _ = timeit(lambda sq=sq: engine.search(session, auditor, sq).total, reps)
                    q = parse(oix.schema, text)
                    with oix.searcher() as s:

                        def bare(q=q, s=s):
                            return len(s.search(q, limit=20))

                        bt, _ = timeit(bare, reps)
                    lines.append(
                        f"| {label}: `{text}` | {statistics.median(ut) * 1000:.1f} / "
                        f"{percentile(ut, 95) * 1000:.1f} | "
                        f"{statistics.median(ut) / statistics.median(bt):.2f} |"
                    )
        click.echo("\n".join(lines))
        fts.close()
        database.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
