//! Splitting large inputs across the cores with scoped threads: planning a million users is
//! CPU-bound, and the machines it runs on have few cores, so plain chunks are enough.

/// Below this many items, one thread does the work: spawning would cost more than it saves.
const PARALLEL_MIN: usize = 20_000;

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Maps `f` over contiguous chunks of `items` (one per core) and returns the results in
/// chunk order; `f` gets the chunk's offset in `items`.
pub(crate) fn map_chunks<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &[T]) -> R + Sync,
{
    let threads = threads();
    if threads < 2 || items.len() < PARALLEL_MIN {
        return vec![f(0, items)];
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || f(i * size, chunk)))
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker thread panicked"))
            .collect()
    })
}

/// Runs `f` for each of `jobs` on its own thread when the work is large, in order.
pub(crate) fn map_jobs<J, R, F>(jobs: &[J], large: bool, f: F) -> Vec<R>
where
    J: Sync,
    R: Send,
    F: Fn(&J) -> R + Sync,
{
    if !large || jobs.len() < 2 || threads() < 2 {
        return jobs.iter().map(&f).collect();
    }
    std::thread::scope(|scope| {
        let f = &f;
        let workers: Vec<_> = jobs.iter().map(|job| scope.spawn(move || f(job))).collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker thread panicked"))
            .collect()
    })
}

/// True when `len` items are worth spreading over threads.
pub(crate) fn is_large(len: usize) -> bool {
    len >= PARALLEL_MIN
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        let items: Vec<usize> = (0..50_001).collect();
        let parts = map_chunks(&items, |offset, chunk| {
            assert_eq!(chunk[0], offset);
            chunk.iter().sum::<usize>()
        });
        assert_eq!(parts.iter().sum::<usize>(), items.iter().sum::<usize>());
        assert_eq!(map_jobs(&[1, 2, 3], true, |j| j * 2), vec![2, 4, 6]);
    }
}
