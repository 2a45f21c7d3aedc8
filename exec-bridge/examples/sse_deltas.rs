//! Benchmark (not a test; run by `bench/deltas.sh`): the cost per delta of reading one model
//! stream of 10^3, 10^4 and 10^5 `response.output_text.delta` events, which must not grow with
//! the stream's length.
//!
//! Each stream goes through one [`SseParser`] in pushes of [`CHUNK`] bytes (so that events are
//! split across pushes, as network reads split them), in the scripted model's wire format. It
//! is a block of [`BLOCK`] distinct events repeated, so that every length reads the same bytes
//! from cache and only the parser's own work is compared. Two costs are printed: the parser
//! alone, and the parser followed by decoding each event as the client does
//! ([`ResponseEvent`], then [`ResponseEvent::interpret`]).
//!
//! `cargo run --release -p exec-bridge --example sse_deltas`

use std::hint::black_box;
use std::time::{Duration, Instant};

use exec_bridge::engine::model::events::{Interpreted, ResponseEvent};
use exec_bridge::engine::model::sse::SseParser;

/// Distinct events in the block the stream repeats.
const BLOCK: usize = 1_000;
/// Bytes per push.
const CHUNK: usize = 4_096;
/// The stream lengths compared, in deltas.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
/// Deltas read per size and mode, over as many streams as that takes (at least [`MIN_RUNS`]).
const DELTAS_PER_SIZE: usize = 2_000_000;
/// The fewest streams measured per size and mode.
const MIN_RUNS: usize = 9;

/// `BLOCK` delta events as the scripted model sends them.
fn block() -> Vec<u8> {
    let mut bytes = Vec::new();
    for i in 0..BLOCK {
        let data = serde_json::json!({
            "type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0,
            "delta": format!("{i:07} "),
        });
        bytes.extend_from_slice(format!("event: response.output_text.delta\ndata: {data}\n\n").as_bytes());
    }
    bytes
}

/// Reads one stream of `deltas` deltas; with `decode`, decodes each event too. Fails if the
/// stream does not read as `deltas` deltas.
fn read_stream(block: &[u8], deltas: usize, decode: bool) -> Result<Duration, String> {
    let started = Instant::now();
    let mut parser = SseParser::new();
    let mut seen = 0;
    for _ in 0..deltas / BLOCK {
        for chunk in block.chunks(CHUNK) {
            for data in parser.push(black_box(chunk)).map_err(|e| e.to_string())? {
                if decode {
                    let event = serde_json::from_str::<ResponseEvent>(&data).map_err(|e| e.to_string())?;
                    if !matches!(event.interpret(), Interpreted::Delta(_)) {
                        return Err(format!("not a delta: {data}"));
                    }
                }
                black_box(&data);
                seen += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    if seen != deltas {
        return Err(format!("{seen} events read, {deltas} sent"));
    }
    Ok(elapsed)
}

/// The median cost per delta, in nanoseconds, of streams of `deltas` deltas.
fn ns_per_delta(block: &[u8], deltas: usize, decode: bool) -> Result<f64, String> {
    let runs = (DELTAS_PER_SIZE / deltas).max(MIN_RUNS);
    let mut costs = Vec::with_capacity(runs);
    for _ in 0..runs {
        let elapsed = read_stream(block, deltas, decode)?;
        costs.push(elapsed.as_nanos() as f64 / deltas as f64);
    }
    costs.sort_by(f64::total_cmp);
    Ok(costs[runs / 2])
}

fn main() -> Result<(), String> {
    let block = block();
    // Warm up caches, the allocator and the CPU's clock.
    read_stream(&block, SIZES[SIZES.len() - 1], true)?;
    println!("== SSE parser: one stream of N deltas, {CHUNK}-byte pushes (median ns per delta)");
    println!("{:>10}{:>14}{:>20}", "deltas", "parse", "parse + decode");
    let mut rows = Vec::new();
    for deltas in SIZES {
        let row = (deltas, ns_per_delta(&block, deltas, false)?, ns_per_delta(&block, deltas, true)?);
        println!("{:>10}{:>14.1}{:>20.1}", row.0, row.1, row.2);
        rows.push(row);
    }
    if let (Some(small), Some(large)) = (rows.first(), rows.last()) {
        println!(
            "ratio 10^5 / 10^3 deltas: parse {:.2}, parse + decode {:.2} (constant cost per delta: ~1)",
            large.1 / small.1,
            large.2 / small.2
        );
    }
    Ok(())
}
