#include "store/commit_queue.hpp"

#include <algorithm>
#include <utility>

namespace sipas::store {
namespace {

constexpr std::size_t largest_batch = 512;

CommitQueue::Options clamped(CommitQueue::Options options) {
  options.max_batch = std::clamp<std::size_t>(options.max_batch, 1, largest_batch);
  options.max_pending = std::max<std::size_t>(options.max_pending, 1);
  return options;
}

std::size_t bucket_of(std::size_t size) {
  const auto& bounds = CommitQueue::batch_buckets();
  auto found = std::lower_bound(bounds.begin(), bounds.end(), size);
  if (found == bounds.end()) return bounds.size() - 1;
  return static_cast<std::size_t>(found - bounds.begin());
}

SurveyStore::Options writer_options(const CommitQueue::Options& options) {
  SurveyStore::Options store;
  store.read_only = options.read_only;
  store.token_source = options.token_source;
  return store;
}

}  // namespace

const std::vector<std::size_t>& CommitQueue::batch_buckets() {
  static const std::vector<std::size_t> bounds{1, 2, 4, 8, 16, 32, 64, 128, 256, largest_batch};
  return bounds;
}

CommitQueue::CommitQueue(const std::filesystem::path& db, Options options)
    : options_(clamped(options)), store_(db, writer_options(options)) {
  stats_.batch_histogram.assign(batch_buckets().size(), 0);
  thread_ = std::thread([this] { run(); });
}

CommitQueue::~CommitQueue() {
  stop();
}

void CommitQueue::submit(Job job, Done done) {
  std::exception_ptr refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused = std::make_exception_ptr(
          StoreError("store.busy", "the writer is shutting down; the answer was not stored"));
    } else if (queue_.size() >= options_.max_pending) {
      refused = std::make_exception_ptr(StoreError(
          "store.busy",
          "the writer has " + std::to_string(queue_.size()) + " jobs waiting; try again shortly"));
    } else {
      queue_.push_back(Entry{std::move(job), std::move(done)});
    }
  }
  if (refused) {
    Entry entry{nullptr, std::move(done)};
    finish(entry, refused);
    return;
  }
  wake_.notify_one();
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard join_lock(join_mutex_);
  if (thread_.joinable()) thread_.join();
}

CommitStats CommitQueue::stats() const {
  std::lock_guard lock(mutex_);
  CommitStats out = stats_;
  out.pending = queue_.size();
  return out;
}

void CommitQueue::finish(Entry& entry, std::exception_ptr error) {
  if (!entry.done) return;
  try {
    entry.done(std::move(error));
  } catch (...) {
    // done only hands the result on; if it throws there is no one to tell.
  }
}

void CommitQueue::run() {
  std::vector<Entry> batch;
  batch.reserve(options_.max_batch);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Stopping still drains: everything queued before stop() is committed.
      if (queue_.empty()) return;
      std::size_t take = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::size_t start = 0;
    while (start < batch.size())
      start = run_transaction(batch, start);
    batch.clear();
  }
}

std::size_t CommitQueue::run_transaction(std::vector<Entry>& batch, std::size_t start) {
  const std::size_t end = batch.size();
  const auto began = std::chrono::steady_clock::now();
  std::vector<std::size_t> stored;  // jobs whose work waits for COMMIT
  stored.reserve(end - start);
  std::uint64_t failed = 0;

  // The transaction cannot be trusted any more: nothing of it is kept, and
  // no job of it is acknowledged.
  auto abandon = [&](std::size_t culprit, std::exception_ptr error) {
    store_.rollback();
    for (std::size_t i : stored)
      finish(batch[i], error);
    finish(batch[culprit], error);
    failed += stored.size() + 1;
    std::lock_guard lock(mutex_);
    stats_.failed_jobs += failed;
    ++stats_.failed_commits;
  };

  try {
    store_.begin();
  } catch (...) {
    auto error = std::current_exception();
    for (std::size_t i = start; i < end; ++i)
      finish(batch[i], error);
    std::lock_guard lock(mutex_);
    stats_.failed_jobs += end - start;
    ++stats_.failed_commits;
    return end;
  }

  for (std::size_t i = start; i < end; ++i) {
    try {
      store_.savepoint();
    } catch (...) {
      abandon(i, std::current_exception());
      return i + 1;
    }
    try {
      batch[i].job(store_);
    } catch (...) {
      auto error = std::current_exception();
      bool undone = false;
      try {
        store_.rollback_to_savepoint();
        undone = store_.in_transaction();
      } catch (...) {
      }
      if (!undone) {
        // SQLite rolled the transaction back under the job (SQLITE_FULL,
        // SQLITE_IOERR), or the job ended it: the batch-mates' work is gone.
        abandon(i, error);
        return i + 1;
      }
      finish(batch[i], error);
      ++failed;
      continue;
    }
    try {
      store_.release();
    } catch (...) {
      abandon(i, std::current_exception());
      return i + 1;
    }
    stored.push_back(i);
  }

  try {
    store_.commit();
  } catch (...) {
    auto error = std::current_exception();
    store_.rollback();
    for (std::size_t i : stored)
      finish(batch[i], error);
    std::lock_guard lock(mutex_);
    stats_.failed_jobs += failed + stored.size();
    ++stats_.failed_commits;
    return end;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  {
    std::lock_guard lock(mutex_);
    ++stats_.commits;
    stats_.jobs += stored.size();
    stats_.failed_jobs += failed;
    ++stats_.batch_histogram[bucket_of(end - start)];
    stats_.commit_seconds_total += seconds;
  }
  // Only now, with COMMIT returned (the WAL fsynced), may anyone hear "stored".
  for (std::size_t i : stored)
    finish(batch[i], nullptr);
  return end;
}

}  // namespace sipas::store
