//! Events made in a synchronous callback, on their way to the thread's bounded event channel.
//!
//! A command's output is reported by [`super::tools::shell::run`] through a plain closure, which
//! cannot wait for room in the channel. A [`Relay`] takes those events without waiting and
//! holds back the future that makes them instead: [`Relay::run`] polls the producing future only
//! while less than the relay's limit of bytes waits to be sent, and sends the waiting events,
//! in order, meanwhile. While the producer is held back, the command's output pipe fills and
//! the command blocks on writing: a reader that stalls slows the command down, and memory
//! stays flat however much it prints.
//!
//! Once the turn is interrupted the producer is no longer held back (it must see the interrupt
//! and stop the command); what it reports past four times the limit then is dropped.

use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use tokio::sync::{mpsc, watch};

use super::items::Event;
use super::tools::shell::cancelled;

/// How many bytes of a command's output may wait for the event channel: 1 MiB.
pub const RELAY_LIMIT: usize = 1024 * 1024;

/// Events from a synchronous producer, waiting to be sent; see the module docs.
pub(super) struct Relay {
    shared: Mutex<Shared>,
    limit: usize,
}

#[derive(Default)]
struct Shared {
    /// The events waiting, each with its size.
    queue: VecDeque<(Event, usize)>,
    /// Their sizes added up.
    bytes: usize,
    /// The producer ended: nothing more will come.
    closed: bool,
    /// Woken when there is room again.
    producer: Option<Waker>,
    /// Woken when an event comes, or the producer ends.
    consumer: Option<Waker>,
}

impl Relay {
    /// A relay that holds the producer back while `limit` bytes wait.
    pub(super) fn new(limit: usize) -> Relay {
        Relay { shared: Mutex::new(Shared::default()), limit }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        // Every holder leaves the state whole (each step is one push or pop).
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `event`, of `size` bytes, without waiting.
    pub(super) fn push(&self, event: Event, size: usize) {
        let mut shared = self.shared();
        if shared.bytes > 4 * self.limit {
            return;
        }
        shared.bytes += size;
        shared.queue.push_back((event, size));
        if let Some(consumer) = shared.consumer.take() {
            consumer.wake();
        }
    }

    /// Runs `producer` to its end, holding it back while the relay is full (until `interrupt`
    /// turns `true`), and sends every event it queued to `events`, in order, before returning
    /// its output. Events to a channel whose reader is gone are dropped.
    pub(super) async fn run<F: Future>(
        &self,
        producer: F,
        events: &mpsc::Sender<Event>,
        mut interrupt: watch::Receiver<bool>,
    ) -> F::Output {
        let produce = async {
            let mut producer = std::pin::pin!(producer);
            let mut interrupted = std::pin::pin!(cancelled(&mut interrupt));
            let mut open = false;
            let output = poll_fn(|cx| {
                open = open || interrupted.as_mut().poll(cx).is_ready();
                if open || self.has_room(cx.waker()) {
                    producer.as_mut().poll(cx)
                } else {
                    Poll::Pending
                }
            })
            .await;
            self.close();
            output
        };
        let send = async {
            while let Some(event) = poll_fn(|cx| self.pop(cx.waker())).await {
                let _ = events.send(event).await;
            }
        };
        tokio::join!(produce, send).0
    }

    /// Whether the producer may go on; if not, it is woken when it may.
    fn has_room(&self, waker: &Waker) -> bool {
        let mut shared = self.shared();
        if shared.bytes < self.limit {
            return true;
        }
        shared.producer = Some(waker.clone());
        false
    }

    /// The next event; `None` once the producer ended and every event is out.
    fn pop(&self, waker: &Waker) -> Poll<Option<Event>> {
        let mut shared = self.shared();
        match shared.queue.pop_front() {
            Some((event, size)) => {
                shared.bytes -= size;
                if shared.bytes < self.limit {
                    if let Some(producer) = shared.producer.take() {
                        producer.wake();
                    }
                }
                Poll::Ready(Some(event))
            }
            None if shared.closed => Poll::Ready(None),
            None => {
                shared.consumer = Some(waker.clone());
                Poll::Pending
            }
        }
    }

    /// The producer ended.
    fn close(&self) {
        let mut shared = self.shared();
        shared.closed = true;
        if let Some(consumer) = shared.consumer.take() {
            consumer.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    fn output(n: usize) -> Event {
        Event::CommandOutput {
            item_id: "c".into(),
            chunk: n.to_string().into_bytes(),
            stream: crate::engine::tools::shell::OutputStream::Stdout,
        }
    }

    /// A producer of 1000 events of 10 bytes, under a limit of 100 bytes and a channel of 4
    /// nobody reads for a while: it is held back at about the limit, then everything arrives in
    /// order.
    #[tokio::test]
    async fn a_stalled_reader_holds_the_producer_back_and_nothing_is_lost() {
        let relay = Relay::new(100);
        let (tx, mut rx) = mpsc::channel(4);
        let (_interrupt, interrupt) = watch::channel(false);
        let made = AtomicUsize::new(0);
        let producer = async {
            for n in 0..1000 {
                relay.push(output(n), 10);
                made.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
            "done"
        };
        let reader = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let held_at = made.load(Ordering::SeqCst);
            let mut seen = Vec::new();
            while let Some(Event::CommandOutput { chunk, .. }) = rx.recv().await {
                seen.push(String::from_utf8(chunk).unwrap().parse::<usize>().unwrap());
            }
            (held_at, seen)
        };
        let run = async {
            let out = relay.run(producer, &tx, interrupt).await;
            drop(tx);
            out
        };
        let (out, (held_at, seen)) = tokio::join!(run, reader);
        assert_eq!(out, "done");
        assert!(held_at <= 100 / 10 + 4 + 2, "the producer ran ahead to {held_at}");
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn an_interrupt_lets_the_producer_finish_and_what_is_past_the_bound_is_dropped() {
        let relay = Relay::new(10);
        let (tx, _never_read) = mpsc::channel(1);
        let (interrupt, interrupted) = watch::channel(false);
        let finished = std::sync::atomic::AtomicBool::new(false);
        let producer = async {
            for n in 0..1000 {
                relay.push(output(n), 10);
                tokio::task::yield_now().await;
            }
            finished.store(true, Ordering::SeqCst);
        };
        tokio::select! {
            () = relay.run(producer, &tx, interrupted) => panic!("the events cannot all have been sent"),
            () = async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                assert!(!finished.load(Ordering::SeqCst), "the producer is held back");
                interrupt.send(true).unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
            } => {}
        }
        assert!(finished.load(Ordering::SeqCst), "the interrupted producer ran to its end");
        assert!(relay.shared().bytes <= 4 * 10 + 10, "{}", relay.shared().bytes);
    }
}
