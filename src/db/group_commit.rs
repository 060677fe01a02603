//! Group commit: pieces of work that arrive at the same moment are decided in one transaction
//! by one writer, so that a busy door pays one `BEGIN … COMMIT` (and on SQLite one turn of the
//! write lock, on PostgreSQL one WAL flush) for many scans instead of one each — and, since the
//! writer sees the whole group at once, a few set-based statements for the group instead of a
//! round trip per scan per statement (see [`Decide`]).
//!
//! The writer is a thread of its own. Submitters send their items and await the answer; while
//! the writer decides one group, the next one gathers in its channel, and it takes all of it
//! (up to a limit) in its next transaction. One writer, on both backends: SQLite has one
//! anyway, and on PostgreSQL two groups would lock the same counters (`analytics_counts`) in
//! different orders and deadlock, where one writer never waits on itself. (A first version
//! let the submitters' own threads take turns as the writer; under load they queued on the
//! turn only to find their work done, and most groups held a single scan.)
//!
//! Deciding must be safe to run again: when a group fails, the transaction is rolled back and
//! each submitter's items are decided again alone, so that one bad request never fails its
//! neighbours. Answers are handed out only after the commit.

use std::sync::Arc;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{ConnectionManager, DbConnection, DbPool};
use crate::error::AppError;

/// How a group of items is decided, in the caller's transaction.
pub trait Decide: Send + Sync + 'static {
    type Item: Send + 'static;
    type Decided: Send + 'static;
    /// One answer per item, in order, as if each had been decided after the ones before it.
    /// An `Err` rolls the group back.
    fn decide(
        &self,
        conn: &mut DbConnection,
        items: &[&Self::Item],
    ) -> Result<Vec<Self::Decided>, AppError>;
}

type Answer<D> = Result<Vec<<D as Decide>::Decided>, AppError>;

fn stopped() -> AppError {
    AppError::Unexpected(anyhow::anyhow!(
        "a group-commit writer stopped before answering"
    ))
}

/// One submitter's items and where their answers go.
struct Job<D: Decide> {
    items: Vec<D::Item>,
    answer: oneshot::Sender<Answer<D>>,
}

/// What the writer thread owns.
struct Writer<D: Decide> {
    pool: DbPool,
    /// The writer's own connection, kept from one group to the next (see [`Writer::write`]).
    conn: Option<diesel::r2d2::PooledConnection<ConnectionManager>>,
    decider: Arc<D>,
    jobs: mpsc::Receiver<Job<D>>,
    max_items: usize,
}

/// The submitting side of one kind of work's writer.
pub struct GroupCommit<D: Decide> {
    pool: DbPool,
    decider: Arc<D>,
    /// `None` without grouping (`max_items` 1): each submitter decides in its own transaction.
    submit: Option<mpsc::Sender<Job<D>>>,
}

impl<D: Decide> std::fmt::Debug for GroupCommit<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("grouped", &self.submit.is_some())
            .finish_non_exhaustive()
    }
}

impl<D: Decide> GroupCommit<D> {
    /// A writer whose transactions decide at most `max_items` items each (1: no grouping and
    /// no writer thread, each submitter's items in a transaction of their own, beside the
    /// others). The thread ends when the last handle to this is dropped.
    pub fn new(pool: DbPool, decider: D, max_items: usize) -> Result<Arc<Self>, std::io::Error> {
        let decider = Arc::new(decider);
        let submit = if max_items > 1 {
            let (submit, jobs) = mpsc::channel();
            let writer = Writer {
                pool: pool.clone(),
                conn: None,
                decider: Arc::clone(&decider),
                jobs,
                max_items,
            };
            std::thread::Builder::new()
                .name("group-commit".into())
                .spawn(move || writer.run())?;
            Some(submit)
        } else {
            None
        };
        Ok(Arc::new(Self {
            pool,
            decider,
            submit,
        }))
    }

    /// Decides `items` in a transaction shared with the items submitted at the same moment;
    /// their answers, once committed.
    pub async fn decide(&self, items: Vec<D::Item>) -> Result<Vec<D::Decided>, AppError> {
        match &self.submit {
            Some(submit) => submitted(submit, items).await,
            None => {
                let decider = Arc::clone(&self.decider);
                super::transaction(&self.pool, move |conn| {
                    let refs: Vec<&D::Item> = items.iter().collect();
                    decider.decide(conn, &refs)
                })
                .await
            }
        }
    }
}

/// Hands `items` to the writer thread and waits for their answers.
async fn submitted<D: Decide>(
    submit: &mpsc::Sender<Job<D>>,
    items: Vec<D::Item>,
) -> Result<Vec<D::Decided>, AppError> {
    let (answer, answered) = oneshot::channel();
    submit.send(Job { items, answer }).map_err(|_| stopped())?;
    answered.await.map_err(|_| stopped())?
}

impl<D: Decide> Writer<D> {
    /// Decides groups until every submitter is gone: each takes what waits in the channel.
    fn run(mut self) {
        let mut next = None;
        while let Some(first) = next.take().or_else(|| self.jobs.recv().ok()) {
            let mut items = first.items.len();
            let mut group = vec![first];
            while items < self.max_items {
                match self.jobs.try_recv() {
                    Ok(job) if items + job.items.len() > self.max_items => {
                        next = Some(job);
                        break;
                    }
                    Ok(job) => {
                        items += job.items.len();
                        group.push(job);
                    }
                    Err(_) => break,
                }
            }
            // A panic while deciding drops the group's answers (its submitters hear that the
            // writer stopped) but not the writer.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.decide_group(group);
            }));
        }
    }

    /// Runs `work` in a write transaction on the writer's own connection. Kept from one group
    /// to the next, it keeps its page cache (SQLite: valid while no other connection writes,
    /// where a connection from the pool finds its cache emptied by the writes made on the others)
    /// and its prepared statements, and the pool is not asked at every group. After a failure
    /// it goes back to the pool, which drops it if it broke, and the next group takes another.
    fn write<T>(
        &mut self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = match self.conn.take() {
            Some(conn) => conn,
            None => self
                .pool
                .get()
                .map_err(|e| AppError::Unavailable(e.to_string()))?,
        };
        let written = self.pool.write_on(&mut conn, work);
        if written.is_ok() {
            self.conn = Some(conn);
        }
        written
    }

    /// Decides a group in one transaction; if that fails, each job is decided again alone.
    fn decide_group(&mut self, group: Vec<Job<D>>) {
        let decider = Arc::clone(&self.decider);
        let refs: Vec<&D::Item> = group.iter().flat_map(|job| &job.items).collect();
        let together = self.write(|conn| decider.decide(conn, &refs));
        match together {
            Ok(mut answers) if answers.len() == refs.len() => {
                drop(refs);
                for job in group.into_iter().rev() {
                    let own = answers.split_off(answers.len() - job.items.len());
                    // The requester may have gone (a closed connection): nothing to tell.
                    let _ = job.answer.send(Ok(own));
                }
            }
            Ok(_) => {
                drop(refs);
                for job in group {
                    let _ = job.answer.send(Err(AppError::Unexpected(anyhow::anyhow!(
                        "a group decided with a wrong number of answers"
                    ))));
                }
            }
            Err(_) => {
                drop(refs);
                // Alone, even a group of one: its failure may have been its neighbours' doing
                // in another process (see `checkin::batch`), and a second try is cheap.
                for job in group {
                    let refs: Vec<&D::Item> = job.items.iter().collect();
                    let alone = self.write(|conn| decider.decide(conn, &refs));
                    drop(refs);
                    let _ = job.answer.send(alone);
                }
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

    /// Writes each number; refuses seven, after writing it.
    struct WriteNumbers;

    impl Decide for WriteNumbers {
        type Item = i32;
        type Decided = i32;
        fn decide(&self, conn: &mut DbConnection, items: &[&i32]) -> Result<Vec<i32>, AppError> {
            for x in items {
                diesel::sql_query(format!("INSERT INTO t (x) VALUES ({x})")).execute(conn)?;
                if **x == 7 {
                    return Err(AppError::Conflict("seven is refused".into()));
                }
            }
            Ok(items.iter().map(|x| **x).collect())
        }
    }

    /// Twenty submitters at once, one of which fails after writing: the others are committed
    /// (together or each on its own), the failing one leaves nothing, and each submitter gets
    /// its own answer.
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
        let group = GroupCommit::new(pool.clone(), WriteNumbers, 50).expect("writer");
        let calls: Vec<_> = (0..20)
            .map(|x: i32| {
                let group = Arc::clone(&group);
                actix_web::rt::spawn(async move { group.decide(vec![x]).await })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.expect("joined"));
        }
        for (i, answer) in answers.iter().enumerate() {
            match answer {
                Ok(x) => assert_eq!(*x, vec![i32::try_from(i).expect("small")]),
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
}
