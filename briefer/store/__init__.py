"""The article store: an SQLite file that remembers what earlier runs worked out, so a rerun
only reads, cleans and summarizes the articles that are new or changed. `Store`
(article_store.py) holds the rows and their checksums, schema.py the file's tables and their
upgrades, codec.py the rows' text forms; briefer.cache wraps the pipeline's stages around it
(`Cache`) and says what each stage's key is.

It lives in `.briefer/store.sqlite3` beside the output folder (`briefings/` -> `.briefer/`),
so one project's runs share it and it never shows up among the briefing files. It holds:

- files: the articles read from each input file, keyed by the file's path and stamped with
  its size, modification and change times and inode, so an unchanged file is not parsed again;
- summaries: each article's cleaned blocks and chosen sentences, keyed by a hash of its title
  and text and of the options that shape them (sentences, words, algorithm);
- groupings: the stories and sections made from one exact set of summarized articles and
  themes, so a rerun on the same inputs skips grouping altogether;
- stories: what each story says (its headline, bullets and copies: records.Told), keyed by
  its reports as shown and their summary keys, so a rerun with a few new or changed articles
  works that out only for the stories they join or leave;
- placements: where each story is filed (records.Placement without the fits), keyed by its
  reports as shown, their summary keys and the themes: a story is placed on its own words;
- rows: the last grouping's rows (records.TermRows: each article's clustering vector,
  mentions and lead words) with the articles' ids and summary keys, one binary row per set
  of summary options (numpy arrays, not JSON: about 25 MB at 10,000 articles), so a rerun
  reads and vectorizes only the articles that are new;
- storylines: what storylines read of each story (records.StoryTerms: its names and
  content terms), keyed by its headlines and bullets, so ranking a rerun stems only the
  stories that changed;
- briefings: a whole run's ranked briefing, keyed by what decides it before any file is read
  (every input file's stamp, the options, the themes, the earlier briefings it is ranked
  against): a rerun with nothing changed loads only what the briefing shows (`run_key`);
- seen: the day briefer first saw each undated article (by content id), which places it
  under `--undated first-seen`. Unlike the rest it is a record, not a result: it is kept
  when briefer's code changes.

Rows are in briefer's one JSON form (briefer.serialize). Every key also carries a salt: the
package version and a hash of briefer's own code and data files, so a changed cleaner, scorer
or furniture list never serves stale results. Every row carries a checksum of its key and
value, checked on read: a row that does not match, or cannot be read, is counted, worked out
again and replaced, and the run ends with one warning; it never changes a briefing.

The store is a cache, nothing more: a file that is corrupt, foreign or from a newer briefer is
reported in one warning and rebuilt, and a failure while using it turns it off for the run;
neither ever stops the briefing. Rows are written as they are produced, in short transactions
of article_store._FLUSH_ROWS rows (and the rest at the end of a run, whether it ends well or
with an error or Ctrl-C: cache.open_cache), so a big run never holds them all in memory; every
row is sound on its own, so a killed run (SIGKILL) leaves a store the next run uses as it is,
having lost only its unwritten additions. WAL mode and a busy timeout let
concurrent runs share the file.
"""

from briefer.store.article_store import KEEP_BRIEFINGS, KEEP_GROUPINGS, KEEP_ROWS, Store
from briefer.store.schema import (
    APPLICATION_ID,
    BUSY_TIMEOUT,
    SCHEMA_VERSION,
    STORE_FILENAME,
    STORE_FOLDER,
    StoreProblem,
    store_path,
)

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT",
    "KEEP_BRIEFINGS",
    "KEEP_GROUPINGS",
    "KEEP_ROWS",
    "SCHEMA_VERSION",
    "STORE_FILENAME",
    "STORE_FOLDER",
    "Store",
    "StoreProblem",
    "store_path",
]
