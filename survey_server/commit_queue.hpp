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

#include "survey_server/store.hpp"

namespace sipas::survey_server {

// Figures the server exports on /metrics.
struct CommitStats {
  std::uint64_t commits = 0;
  std::uint64_t jobs = 0;
  std::uint64_t failed_commits = 0;
  // Batch sizes, bucketed by the upper bounds in batch_buckets().
  std::vector<std::uint64_t> batch_histogram;
  double commit_seconds_total = 0;
};

// One writer thread with its own connection: jobs queue up while a commit is
// on disk and go together into the next transaction (group commit), each in
// its own savepoint so that one failing job does not undo the others. A job's
// `done` runs only after its transaction is durable (WAL, synchronous=FULL),
// or with the exception that stopped it (the job's own, or the commit's:
// then every job of the batch gets it and nothing of theirs was stored).
// `done` runs on the writer thread: it must only hand the result on (post to
// the connection's strand), never block.
//
// Thread-safe: submit() may be called from any thread.
class CommitQueue {
 public:
  using Job = std::function<void(SurveyStore&)>;
  using Done = std::function<void(std::exception_ptr)>;

  struct Options {
    std::size_t max_batch = 512;    // jobs per transaction
    std::size_t max_pending = 65536;  // submit() beyond this fails with store.busy
  };

  CommitQueue(const std::filesystem::path& db, Options options);
  explicit CommitQueue(const std::filesystem::path& db) : CommitQueue(db, Options{}) {}
  ~CommitQueue();  // stop(): finishes and commits every queued job

  void submit(Job job, Done done);
  // Stops taking jobs, commits the queued ones, joins the thread. Idempotent.
  void stop();

  CommitStats stats() const;
  static const std::vector<std::size_t>& batch_buckets();

 private:
  void run();

  struct Entry {
    Job job;
    Done done;
  };
  Options options_;
  SurveyStore store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  CommitStats stats_;
  std::thread thread_;
};

}  // namespace sipas::survey_server
