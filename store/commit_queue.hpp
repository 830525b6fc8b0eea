#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace sipas::store {

// Figures the server exports on /metrics.
struct CommitStats {
  std::uint64_t commits = 0;         // transactions committed
  std::uint64_t jobs = 0;            // jobs acknowledged (done(nullptr)): durable
  std::uint64_t failed_jobs = 0;     // jobs that got an exception (their own or the batch's)
  std::uint64_t failed_commits = 0;  // transactions that could not begin or commit
  // Committed transactions by their number of jobs: slot k counts the batches
  // of size in (batch_buckets()[k-1], batch_buckets()[k]] (not cumulative; add
  // them up for Prometheus' `le` buckets). Same length as batch_buckets().
  std::vector<std::uint64_t> batch_histogram;
  // Time from BEGIN to the return of COMMIT (the fsync included), summed.
  double commit_seconds_total = 0;
  std::uint64_t pending = 0;  // jobs waiting now
};

// One writer thread with its own connection: jobs queue up while a commit is
// on disk and go together into the next transaction (group commit), each in
// its own savepoint so that one failing job does not undo the others. A job's
// `done` runs only after its transaction is durable (WAL, synchronous=FULL),
// or with the exception that stopped it (the job's own, or the commit's:
// then every job of the batch gets it and nothing of theirs was stored).
// `done` runs on the writer thread: it must only hand the result on (post to
// the connection's strand), never block, never call stop(); an exception from
// it is swallowed. A job must not begin, commit or roll back the transaction
// itself (if it does, its whole batch fails and nothing of it is acknowledged).
// If SQLite rolls the whole transaction back under a failing job (disk full,
// I/O error), every job of the batch so far gets that job's exception and the
// rest go on in a new transaction.
//
// Thread-safe: submit() and stats() may be called from any thread.
class CommitQueue {
 public:
  using Job = std::function<void(SurveyStore&)>;
  using Done = std::function<void(std::exception_ptr)>;

  struct Options {
    std::size_t max_batch = 512;      // jobs per transaction; clamped to [1, 512]
    std::size_t max_pending = 65536;  // submit() beyond this fails with store.busy
    // The writer's connection opens read-only: every job fails with
    // store.read_only (sipas serve --read-only).
    bool read_only = false;
    // Where the writer's new invitation tokens come from (empty: random).
    TokenSource token_source;
  };

  explicit CommitQueue(const std::filesystem::path& db) : CommitQueue(db, Options{}) {}
  // Opens its own SurveyStore on `db` (migrating it if needed: StoreError).
  CommitQueue(const std::filesystem::path& db, Options options);
  ~CommitQueue();  // stop(): finishes and commits every queued job
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Queues a job. After stop(), or with max_pending jobs waiting, the job is
  // not queued and `done` is called at once, on the caller's thread, with
  // StoreError store.busy.
  void submit(Job job, Done done);
  // Stops taking jobs, commits the queued ones, joins the thread. Idempotent.
  void stop();

  CommitStats stats() const;
  static const std::vector<std::size_t>& batch_buckets();

 private:
  struct Entry {
    Job job;
    Done done;
  };
  void run();
  // Runs batch[start, end) in one transaction; returns where the next
  // transaction must start (before `end` when the transaction was lost).
  std::size_t run_transaction(std::vector<Entry>& batch, std::size_t start);
  void finish(Entry& entry, std::exception_ptr error);

  Options options_;
  SurveyStore store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::mutex join_mutex_;  // two stop() calls at once: one joins
  CommitStats stats_;
  std::thread thread_;
};

}  // namespace sipas::store
