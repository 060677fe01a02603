//! The scheduler of periodic jobs: each area hands over its jobs (`<area>/jobs.rs`), each runs
//! in a tokio task of its own at its own interval, every run in a task of its own too, so that
//! an error or a panic fails that run alone — the job runs again at its next tick and the other
//! jobs and the e-mail worker go on. All stop on shutdown, a run in progress finished first.
//! Like the outbox, it knows no area.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::AppError;

type JobRun = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send>>;

/// A named task run every `every`.
pub struct Job {
    name: &'static str,
    every: Duration,
    run: Arc<dyn Fn() -> JobRun + Send + Sync>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl Job {
    /// A job named `name` (for logs) that calls `run` every `every`, the first time at once.
    pub fn new<F, Fut>(name: &'static str, every: Duration, run: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), AppError>> + Send + 'static,
    {
        Self {
            name,
            every,
            run: Arc::new(move || Box::pin(run())),
        }
    }
}

/// Starts every job; they run until `stop` turns true.
pub fn spawn(jobs: Vec<Job>, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    jobs.into_iter()
        .map(|job| tokio::spawn(repeat(job, stop.clone())))
        .collect()
}

async fn repeat(job: Job, mut stop: watch::Receiver<bool>) {
    tracing::info!(
        job = job.name,
        every_seconds = job.every.as_secs(),
        "periodic job started"
    );
    loop {
        if *stop.borrow() {
            break;
        }
        let started = Instant::now();
        // In a task of its own: a panic in one run must stop neither this job nor the others.
        match tokio::spawn((job.run)()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(job = job.name, error = %e, "periodic job failed"),
            Err(e) => tracing::error!(job = job.name, error = %e, "periodic job panicked"),
        }
        tokio::select! {
            () = tokio::time::sleep(job.every.saturating_sub(started.elapsed())) => {}
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    tracing::info!(job = job.name, "periodic job stopped");
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_panicking_job_runs_again_and_does_not_stop_the_others() {
        let (panics, runs) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let every = Duration::from_millis(10);
        let jobs = vec![
            Job::new("panics", every, {
                let panics = panics.clone();
                move || {
                    let panics = panics.clone();
                    async move {
                        panics.fetch_add(1, Ordering::SeqCst);
                        panic!("a job that panics");
                    }
                }
            }),
            Job::new("fails", every, || async {
                Err(AppError::Unavailable("down".into()))
            }),
            Job::new("works", every, {
                let runs = runs.clone();
                move || {
                    let runs = runs.clone();
                    async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        Ok(())
                    }
                }
            }),
        ];
        let (stop, stopped) = watch::channel(false);
        let tasks = spawn(jobs, &stopped);
        let ran_again = async {
            while panics.load(Ordering::SeqCst) < 3 || runs.load(Ordering::SeqCst) < 3 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), ran_again)
            .await
            .expect("every job runs again after a panic or an error");
        stop.send(true).expect("jobs listen");
        for task in tasks {
            task.await.expect("a job task ends cleanly on shutdown");
        }
    }
}
