//! Group commit: pieces of work that arrive at the same moment are run in one transaction by
//! one writer, so that a busy door pays one `BEGIN … COMMIT` (and on SQLite one turn of the
//! write lock, on PostgreSQL one WAL flush) for many scans instead of one each.
//!
//! Whoever submits work queues it, then waits for the writer's turn. The writer takes what is
//! queued by then — its own work, or nothing if an earlier turn took it — and runs it in one
//! transaction. One writer at a time, on both backends: SQLite has one anyway, and on
//! PostgreSQL two batches would lock the same counters (`analytics_counts`) in different
//! orders and deadlock, where one writer never waits on itself. Work must be
//! safe to run again: when one piece fails, the transaction is rolled back and each piece is
//! run again alone, so that one bad request never fails its neighbours. Answers are handed out
//! only after the commit.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::{DbConnection, DbPool};
use crate::error::AppError;

type Answer = Result<Box<dyn Any + Send>, AppError>;

fn stopped() -> AppError {
    AppError::Unexpected(anyhow::anyhow!(
        "a group-commit writer stopped before answering"
    ))
}
type Work = Box<dyn Fn(&mut DbConnection) -> Answer + Send>;

/// One piece of work and where its answer goes.
struct Job {
    work: Work,
    /// How many units (scans) it holds, so that a transaction stays short.
    weight: usize,
    answer: mpsc::SyncSender<Answer>,
}

/// The queue and the writers' turns of one kind of work.
pub struct GroupCommit {
    pool: DbPool,
    queue: Mutex<VecDeque<Job>>,
    /// The writer's turn.
    turn: Mutex<()>,
    /// Most units one transaction decides.
    max_weight: usize,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("max_weight", &self.max_weight)
            .finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// A queue whose transactions decide at most `max_weight` units each.
    pub fn new(pool: DbPool, max_weight: usize) -> Arc<Self> {
        Arc::new(Self {
            pool,
            queue: Mutex::new(VecDeque::new()),
            turn: Mutex::new(()),
            max_weight: max_weight.max(1),
        })
    }

    /// Runs `work` (`weight` units) in a transaction shared with the work queued at the same
    /// moment. `work` may run twice (see the module's comment): it must only touch the database.
    pub async fn run<T, F>(self: &Arc<Self>, weight: usize, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: Fn(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        if self.max_weight == 1 {
            // No grouping asked for: a transaction of its own, beside the others.
            return super::transaction(&self.pool, work).await;
        }
        let (answer, answered) = mpsc::sync_channel(1);
        let job = Job {
            work: Box::new(move |conn| work(conn).map(|t| Box::new(t) as Box<dyn Any + Send>)),
            weight,
            answer,
        };
        let this = Arc::clone(self);
        let boxed = actix_web::web::block(move || {
            this.lock_queue().push_back(job);
            loop {
                match answered.try_recv() {
                    Ok(answer) => return answer,
                    Err(mpsc::TryRecvError::Disconnected) => break,
                    Err(mpsc::TryRecvError::Empty) => {}
                }
                if !this.take_turn() {
                    // The writer's last turn took this job: its answer comes with that commit.
                    return answered.recv().unwrap_or_else(|_| Err(stopped()));
                }
            }
            Err(stopped())
        })
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("database task failed: {e}")))??;
        boxed.downcast::<T>().map(|t| *t).map_err(|_| {
            AppError::Unexpected(anyhow::anyhow!("a group-commit answer of another type"))
        })
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Job>> {
        // A poisoned lock only means a writer panicked; the queue itself is still whole.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a writer's turn, then runs the jobs queued first in one transaction. False
    /// when there was nothing left to run.
    fn take_turn(&self) -> bool {
        let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        let batch = self.next_batch();
        let ran = !batch.is_empty();
        if ran {
            self.decide(batch);
        }
        ran
    }

    /// The jobs queued first, up to `max_weight` units (always at least one job).
    fn next_batch(&self) -> Vec<Job> {
        let mut queue = self.lock_queue();
        let mut batch = Vec::new();
        let mut weight = 0;
        while let Some(job) = queue.front() {
            if !batch.is_empty() && weight + job.weight > self.max_weight {
                break;
            }
            weight += job.weight;
            batch.extend(queue.pop_front());
        }
        batch
    }

    /// Runs a batch in one transaction; if any job fails, each runs again in its own.
    fn decide(&self, batch: Vec<Job>) {
        let together = self.pool.write_blocking(|conn| {
            let mut answers = Vec::with_capacity(batch.len());
            for job in &batch {
                answers.push((job.work)(conn)?);
            }
            Ok(answers)
        });
        match together {
            Ok(answers) => {
                for (job, answer) in batch.iter().zip(answers) {
                    // The requester may have gone (a closed connection): nothing to tell.
                    let _ = job.answer.send(Ok(answer));
                }
            }
            Err(_) if batch.len() > 1 => {
                for job in &batch {
                    let _ = job
                        .answer
                        .send(self.pool.write_blocking(|conn| (job.work)(conn)));
                }
            }
            Err(e) => {
                let _ = batch[0].answer.send(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::RunQueryDsl;
    use diesel::sql_types::Integer;

    use super::*;
    use crate::config::DatabaseUrl;

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Integer)]
        x: i32,
    }

    /// Twenty pieces of work at once, one of which fails after writing: the others are
    /// committed (together or each on its own), the failing one leaves nothing, and each
    /// caller gets its own answer.
    #[actix_web::test]
    async fn one_failing_piece_fails_alone_and_the_others_commit() {
        let dir = tempfile::tempdir().expect("dir");
        let url = DatabaseUrl::Sqlite(dir.path().join("g.db").display().to_string());
        let pool = crate::db::build_pool(&url, 4).expect("pool");
        pool.write_blocking(|conn| {
            diesel::sql_query("CREATE TABLE t (x INTEGER PRIMARY KEY)").execute(conn)?;
            Ok(())
        })
        .expect("table");
        let group = GroupCommit::new(pool.clone(), 50);
        let answers = futures_join(&group).await;
        for (i, answer) in answers.iter().enumerate() {
            match answer {
                Ok(x) => assert_eq!(*x, i32::try_from(i).expect("small")),
                Err(e) => assert_eq!(i, 7, "{e}"),
            }
        }
        assert!(answers[7].is_err());
        let rows: Vec<Row> = pool
            .write_blocking(|conn| Ok(diesel::sql_query("SELECT x FROM t ORDER BY x").load(conn)?))
            .expect("rows");
        let kept: Vec<i32> = rows.into_iter().map(|r| r.x).collect();
        let expected: Vec<i32> = (0..20).filter(|x| *x != 7).collect();
        assert_eq!(kept, expected);
    }

    async fn futures_join(group: &Arc<GroupCommit>) -> Vec<Result<i32, AppError>> {
        let calls = (0..20).map(|x: i32| {
            let group = Arc::clone(group);
            actix_web::rt::spawn(async move {
                group
                    .run(1, move |conn| {
                        diesel::sql_query(format!("INSERT INTO t (x) VALUES ({x})"))
                            .execute(conn)?;
                        if x == 7 {
                            return Err(AppError::Conflict("seven is refused".into()));
                        }
                        Ok(x)
                    })
                    .await
            })
        });
        let mut answers = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            answers.push(call.await.expect("joined"));
        }
        answers
    }
}
