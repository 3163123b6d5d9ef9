//! Fast-field columns, opened once per segment and kept while the index has the segment.
//!
//! Opening a column looks its name up in the segment's column directory and parses its
//! header: a few microseconds, paid per segment by every collector of every query (three
//! columns over 18 segments is about a tenth of a millisecond, most of a phrase query's
//! own work). Reading a value is nanoseconds. So the columns a query opens are kept,
//! keyed by segment and name, and dropped with their segment when the searcher moves on
//! to a generation without it (a merge, say).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

/// The columns opened so far, per segment and name (`None`: the segment has none).
#[derive(Default)]
struct Opened {
    /// The searcher generation whose segments these are.
    generation: u64,
    u64s: HashMap<(SegmentId, String), Option<Column<u64>>>,
    i64s: HashMap<(SegmentId, String), Option<Column<i64>>>,
    strs: HashMap<(SegmentId, String), Option<StrColumn>>,
}

/// Fast-field columns, opened once per segment. Cheap to share; one per index.
#[derive(Default)]
pub(crate) struct ColumnCache(Mutex<Opened>);

impl std::fmt::Debug for ColumnCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnCache").finish_non_exhaustive()
    }
}

/// The column `name` of `reader`'s segment from `opened`, opening it on first use.
fn get<T: Clone>(
    opened: &mut HashMap<(SegmentId, String), Option<T>>,
    reader: &SegmentReader,
    name: &str,
    open: impl FnOnce() -> tantivy::Result<Option<T>>,
) -> tantivy::Result<Option<T>> {
    let key = (reader.segment_id(), name.to_owned());
    if let Some(column) = opened.get(&key) {
        return Ok(column.clone());
    }
    let column = open()?;
    opened.insert(key, column.clone());
    Ok(column)
}

impl ColumnCache {
    fn opened(&self) -> std::sync::MutexGuard<'_, Opened> {
        // The maps stay consistent whatever panicked: at worst a column is opened again.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the columns of segments `searcher` no longer has (once per generation).
    pub(crate) fn follow(&self, searcher: &Searcher) {
        let generation = searcher.generation().generation_id();
        let mut opened = self.opened();
        if opened.generation == generation {
            return;
        }
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        opened.u64s.retain(|(segment, _), _| live.contains(segment));
        opened.i64s.retain(|(segment, _), _| live.contains(segment));
        opened.strs.retain(|(segment, _), _| live.contains(segment));
        opened.generation = generation;
    }

    /// The `u64` column `name` of `reader`'s segment.
    pub(crate) fn u64(
        &self,
        reader: &SegmentReader,
        name: &str,
    ) -> tantivy::Result<Option<Column<u64>>> {
        get(&mut self.opened().u64s, reader, name, || {
            reader.fast_fields().column_opt(name)
        })
    }

    /// The `i64` column `name` of `reader`'s segment.
    pub(crate) fn i64(
        &self,
        reader: &SegmentReader,
        name: &str,
    ) -> tantivy::Result<Option<Column<i64>>> {
        get(&mut self.opened().i64s, reader, name, || {
            reader.fast_fields().column_opt(name)
        })
    }

    /// The string column `name` of `reader`'s segment.
    pub(crate) fn str(
        &self,
        reader: &SegmentReader,
        name: &str,
    ) -> tantivy::Result<Option<StrColumn>> {
        get(&mut self.opened().strs, reader, name, || {
            reader.fast_fields().str(name)
        })
    }
}
