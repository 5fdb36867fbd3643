//! Dependency levels: each change runs after the changes it depends on, and changes of one
//! level are independent of each other, so they may run concurrently.

use std::collections::BTreeMap;

use super::Change;
use crate::model::ResourceId;

/// Indices into `changes`, grouped by level. A dependency that is not itself changing is
/// already in place and does not hold anything back.
pub fn levels(changes: &[Change]) -> Vec<Vec<usize>> {
    let index: BTreeMap<&ResourceId, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.id, i))
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; changes.len()];
    fn depth_of(
        i: usize,
        changes: &[Change],
        index: &BTreeMap<&ResourceId, usize>,
        depth: &mut Vec<Option<usize>>,
    ) -> usize {
        if let Some(known) = depth[i] {
            return known;
        }
        let level = changes[i]
            .depends_on
            .iter()
            .filter_map(|dependency| index.get(dependency))
            .map(|&j| depth_of(j, changes, index, depth) + 1)
            .max()
            .unwrap_or(0);
        depth[i] = Some(level);
        level
    }
    let mut levels: Vec<Vec<usize>> = Vec::new();
    for i in 0..changes.len() {
        let level = depth_of(i, changes, &index, &mut depth);
        if levels.len() <= level {
            levels.resize(level + 1, Vec::new());
        }
        levels[level].push(i);
    }
    levels
}
