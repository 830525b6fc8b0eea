// Group commit on real files: every acknowledged job is in the file, none
// is lost or doubled under concurrency, a failing job leaves its batch-mates
// alone, and nothing is acknowledged before COMMIT returns.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/commit_queue.hpp"
#include "store/store.hpp"
#include "tests/support/raw_database.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_postgres.hpp"

namespace sipas::store {
namespace {

using Outcome = SubmitResult::Outcome;

constexpr const char* questionnaire = R"({"id": "sipas", "version": "2024"})";

std::string error_id(const std::exception_ptr& error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const StoreError& store_error) {
    return store_error.id();
  } catch (const std::exception& other) {
    return std::string("other: ") + other.what();
  }
}

NewResponse open_link(const std::string& submission_id) {
  NewResponse response;
  response.survey = "s1";
  response.submission_id = submission_id;
  response.language = "vi";
  response.answers_json = R"({"q1": 4})";
  response.client = "c";
  return response;
}

// Counts acknowledgements and lets a test wait for a number of them.
class Acks {
 public:
  CommitQueue::Done done(std::exception_ptr* slot = nullptr) {
    return [this, slot](std::exception_ptr error) {
      std::lock_guard lock(mutex_);
      if (slot != nullptr) *slot = error;
      if (error)
        ++failed_;
      else
        ++ok_;
      changed_.notify_all();
    };
  }
  void wait_for(int total) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ok_ + failed_ >= total; });
  }
  int ok() const {
    std::lock_guard lock(mutex_);
    return ok_;
  }
  int failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int ok_ = 0;
  int failed_ = 0;
};

// Holds the writer inside a job until released, so the jobs submitted
// meanwhile are known to go into one batch.
class Gate {
 public:
  CommitQueue::Job job() {
    return [this](SurveyStore&) {
      entered_.set_value();
      release_.get_future().wait();
    };
  }
  void wait_entered() { entered_.get_future().wait(); }
  void open() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::promise<void> release_;
};

// On both backends: an SQLite file, or a database of its own on the
// PostgreSQL server of the CTest fixture.
class CommitQueueTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == db::Backend::Postgres) {
      if (!test::test_postgres_url()) GTEST_SKIP() << test::no_postgres_message;
      postgres_ = std::make_unique<test::TestDatabase>();
    }
    SurveyStore store(db());
    // Open link on: the jobs store token-less answers.
    store.create_survey("s1", questionnaire, "sipas", "2024", true);
    store.set_survey_state("s1", SurveyState::Open);
  }
  std::filesystem::path db() const {
    return postgres_ ? std::filesystem::path(postgres_->url()) : dir_ / "survey.db";
  }

  std::size_t rows() {
    SurveyStore fresh(db());
    return fresh.export_responses("s1", 0, 1'000'000).size();
  }

  test::TempDir dir_{"sipas-commit"};
  std::unique_ptr<test::TestDatabase> postgres_;
};

INSTANTIATE_TEST_SUITE_P(Backends, CommitQueueTest,
                         ::testing::Values(db::Backend::Sqlite, db::Backend::Postgres),
                         test::backend_name);

TEST_P(CommitQueueTest, EightThreadsOfFiveHundredSubmitsStoreExactly4000Rows) {
  constexpr int threads = 8, per_thread = 500;
  Acks acks;
  std::vector<std::vector<SubmitResult>> results(threads, std::vector<SubmitResult>(per_thread));
  {
    CommitQueue queue(db());
    std::vector<std::thread> submitters;
    for (int t = 0; t < threads; ++t) {
      submitters.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          auto* out = &results[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
          std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
          queue.submit([out, id](SurveyStore& s) { *out = s.insert_response(open_link(id), 1); },
                       acks.done());
        }
      });
    }
    for (auto& submitter : submitters)
      submitter.join();
    acks.wait_for(threads * per_thread);
    CommitStats stats = queue.stats();
    EXPECT_EQ(stats.jobs, 4000u);
    EXPECT_EQ(stats.failed_jobs, 0u);
    EXPECT_EQ(stats.failed_commits, 0u);
    ASSERT_EQ(stats.batch_histogram.size(), CommitQueue::batch_buckets().size());
    EXPECT_EQ(std::accumulate(stats.batch_histogram.begin(), stats.batch_histogram.end(),
                              std::uint64_t{0}),
              stats.commits);
    // Group commit happened: fewer transactions than jobs, some batch > 1.
    EXPECT_LT(stats.commits, 4000u);
    EXPECT_GT(std::accumulate(stats.batch_histogram.begin() + 1, stats.batch_histogram.end(),
                              std::uint64_t{0}),
              0u);
    EXPECT_GT(stats.commit_seconds_total, 0.0);
  }
  EXPECT_EQ(acks.ok(), 4000);
  std::vector<std::int64_t> seqs;
  for (const auto& per : results) {
    for (const auto& result : per) {
      EXPECT_EQ(result.outcome, Outcome::Stored);
      seqs.push_back(result.response);
    }
  }
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end());
  EXPECT_EQ(rows(), 4000u);
  SurveyStore fresh(db());
  EXPECT_EQ(fresh.integrity_check(), "ok");
}

TEST_P(CommitQueueTest, OneInvitationRacedFromEightThreadsIsStoredOnce) {
  std::int64_t invitation = 0;
  {
    SurveyStore store(db());
    InvitationInput row;
    row.respondent_id = "r1";
    row.stratum = "A";
    invitation = store.import_invitations("s1", {row})[0].invitation;
  }
  constexpr int racers = 8;
  std::vector<SubmitResult> results(racers);
  Acks acks;
  {
    CommitQueue queue(db());
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (int i = 0; i < racers; ++i) {
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < racers)
          std::this_thread::yield();
        NewResponse response = open_link("racer-" + std::to_string(i));
        response.invitation = invitation;
        auto* out = &results[static_cast<std::size_t>(i)];
        queue.submit([out, response](SurveyStore& s) { *out = s.insert_response(response, 1); },
                     acks.done());
      });
    }
    for (auto& thread : threads)
      thread.join();
    acks.wait_for(racers);
  }
  EXPECT_EQ(acks.ok(), racers);
  EXPECT_EQ(std::count_if(results.begin(), results.end(),
                          [](const SubmitResult& r) { return r.outcome == Outcome::Stored; }),
            1);
  EXPECT_EQ(
      std::count_if(results.begin(), results.end(),
                    [](const SubmitResult& r) { return r.outcome == Outcome::AlreadyResponded; }),
      racers - 1);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(CommitQueueTest, RetriedSubmissionGetsTheSameSequenceNumber) {
  SubmitResult first, second, third;
  Acks acks;
  {
    CommitQueue queue(db());
    queue.submit([&](SurveyStore& s) { first = s.insert_response(open_link("same"), 10); },
                 acks.done());
    acks.wait_for(1);
    // Twice in one batch as well as across batches.
    queue.submit([&](SurveyStore& s) { second = s.insert_response(open_link("same"), 20); },
                 acks.done());
    queue.submit([&](SurveyStore& s) { third = s.insert_response(open_link("same"), 30); },
                 acks.done());
    acks.wait_for(3);
  }
  EXPECT_EQ(first.outcome, Outcome::Stored);
  EXPECT_EQ(second.outcome, Outcome::Repeated);
  EXPECT_EQ(third.outcome, Outcome::Repeated);
  EXPECT_EQ(second.response, first.response);
  EXPECT_EQ(third.response, first.response);
  EXPECT_EQ(third.received_at, 10);
  EXPECT_EQ(rows(), 1u);
}

TEST_P(CommitQueueTest, AJobThatThrowsDoesNotUndoItsBatchMates) {
  Acks acks;
  std::exception_ptr a_error, bad_error, c_error;
  {
    CommitQueue queue(db());
    Gate gate;
    queue.submit(gate.job(), acks.done());
    gate.wait_entered();
    queue.submit([](SurveyStore& s) { s.insert_response(open_link("a"), 1); }, acks.done(&a_error));
    queue.submit(
        [](SurveyStore& s) {
          s.insert_response(open_link("bad"), 1);  // written, then undone
          throw std::runtime_error("the job failed");
        },
        acks.done(&bad_error));
    queue.submit([](SurveyStore& s) { s.create_survey("s1", "{}", "x", "1"); },  // survey.exists
                 acks.done());
    queue.submit([](SurveyStore& s) { s.insert_response(open_link("c"), 1); }, acks.done(&c_error));
    gate.open();
    acks.wait_for(5);
    CommitStats stats = queue.stats();
    EXPECT_EQ(stats.commits, 2u);
    EXPECT_EQ(stats.batch_histogram[0], 1u);  // the gate alone
    EXPECT_EQ(stats.batch_histogram[2], 1u);  // the four others: one batch of 3..4
    EXPECT_EQ(stats.jobs, 3u);
    EXPECT_EQ(stats.failed_jobs, 2u);
  }
  EXPECT_FALSE(a_error);
  EXPECT_FALSE(c_error);
  EXPECT_EQ(error_id(bad_error), "other: the job failed");
  EXPECT_EQ(acks.failed(), 2);
  SurveyStore fresh(db());
  auto stored = fresh.export_responses("s1", 0, 100);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].submission_id, "a");
  EXPECT_EQ(stored[1].submission_id, "c");
}

// If the transaction is gone under the batch (SQLite rolls it back on a full
// disk or an I/O error; here a job ends it itself), no job of the batch so far
// is acknowledged, and the rest are committed in a new transaction.
TEST_P(CommitQueueTest, ALostTransactionAcknowledgesNoneOfItsJobs) {
  Acks acks;
  std::exception_ptr a_error, breaker_error, c_error;
  {
    CommitQueue queue(db());
    Gate gate;
    queue.submit(gate.job(), acks.done());
    gate.wait_entered();
    queue.submit([](SurveyStore& s) { s.insert_response(open_link("a"), 1); }, acks.done(&a_error));
    queue.submit(
        [](SurveyStore& s) {
          s.insert_response(open_link("b"), 1);
          s.rollback();
          throw std::runtime_error("lost");
        },
        acks.done(&breaker_error));
    queue.submit([](SurveyStore& s) { s.insert_response(open_link("c"), 1); }, acks.done(&c_error));
    gate.open();
    acks.wait_for(4);
    EXPECT_EQ(queue.stats().failed_commits, 1u);
  }
  EXPECT_EQ(error_id(a_error), "other: lost");
  EXPECT_EQ(error_id(breaker_error), "other: lost");
  EXPECT_FALSE(c_error);
  SurveyStore fresh(db());
  auto stored = fresh.export_responses("s1", 0, 100);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].submission_id, "c");
}

// The done callback runs after COMMIT: a new connection already sees the row.
TEST_P(CommitQueueTest, AcknowledgementComesOnlyAfterTheCommitIsVisible) {
  std::atomic<int> checked{0}, visible{0};
  Acks acks;
  {
    CommitQueue queue(db());
    for (int i = 0; i < 20; ++i) {
      std::string id = "v" + std::to_string(i);
      queue.submit([id](SurveyStore& s) { s.insert_response(open_link(id), 1); },
                   [&, id, done = acks.done()](std::exception_ptr error) {
                     SurveyStore reader(db());
                     for (const auto& row : reader.export_responses("s1", 0, 1000)) {
                       if (row.submission_id == id) visible.fetch_add(1);
                     }
                     checked.fetch_add(1);
                     done(error);
                   });
    }
    acks.wait_for(20);
  }
  EXPECT_EQ(checked.load(), 20);
  EXPECT_EQ(visible.load(), 20);
}

TEST_P(CommitQueueTest, StopCommitsEverythingQueuedAndEveryAcknowledgedJobIsInTheFile) {
  Acks acks;
  constexpr int jobs = 2000;
  {
    CommitQueue queue(db());
    for (int i = 0; i < jobs; ++i) {
      std::string id = "q" + std::to_string(i);
      queue.submit([id](SurveyStore& s) { s.insert_response(open_link(id), 1); }, acks.done());
    }
    queue.stop();  // no wait before: stop() itself drains
    EXPECT_EQ(acks.ok(), jobs);
    EXPECT_EQ(queue.stats().pending, 0u);
    queue.stop();  // idempotent
  }
  EXPECT_EQ(rows(), static_cast<std::size_t>(jobs));
  SurveyStore fresh(db());
  EXPECT_EQ(fresh.integrity_check(), "ok");
}

TEST_P(CommitQueueTest, SubmitAfterStopOrOverTheLimitIsBusy) {
  Acks acks;
  std::exception_ptr late, over;
  CommitQueue::Options options;
  options.max_pending = 2;
  CommitQueue queue(db(), options);
  Gate gate;
  queue.submit(gate.job(), acks.done());
  gate.wait_entered();
  queue.submit([](SurveyStore& s) { s.insert_response(open_link("a"), 1); }, acks.done());
  queue.submit([](SurveyStore& s) { s.insert_response(open_link("b"), 1); }, acks.done());
  queue.submit([](SurveyStore& s) { s.insert_response(open_link("c"), 1); }, acks.done(&over));
  EXPECT_EQ(error_id(over), "store.busy");  // at once, on this thread
  EXPECT_EQ(queue.stats().pending, 2u);
  gate.open();
  queue.stop();
  queue.submit([](SurveyStore& s) { s.insert_response(open_link("d"), 1); }, acks.done(&late));
  EXPECT_EQ(error_id(late), "store.busy");
  EXPECT_EQ(acks.ok(), 3);
  EXPECT_EQ(rows(), 2u);
}

TEST_P(CommitQueueTest, BatchesNeverExceedMaxBatch) {
  Acks acks;
  CommitQueue::Options options;
  options.max_batch = 4;
  {
    CommitQueue queue(db(), options);
    Gate gate;
    queue.submit(gate.job(), acks.done());
    gate.wait_entered();
    for (int i = 0; i < 40; ++i) {
      std::string id = "m" + std::to_string(i);
      queue.submit([id](SurveyStore& s) { s.insert_response(open_link(id), 1); }, acks.done());
    }
    gate.open();
    acks.wait_for(41);
    CommitStats stats = queue.stats();
    // Buckets 1, 2, 4: nothing above 4.
    for (std::size_t k = 3; k < stats.batch_histogram.size(); ++k)
      EXPECT_EQ(stats.batch_histogram[k], 0u) << k;
    EXPECT_EQ(stats.batch_histogram[2], 10u);
  }
  EXPECT_EQ(rows(), 40u);
}

// kill -9 under load: every job whose `done` had said "stored" is in the file.
// The child commits through a CommitQueue and reports each acknowledgement on
// a pipe; the parent kills it mid-stream. (A process kill keeps what the OS
// has; synchronous=FULL is what covers power loss, which no test can cut.)
TEST_P(CommitQueueTest, AcknowledgedJobsSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    try {
      CommitQueue queue(db());
      for (std::uint32_t i = 0;; ++i) {
        queue.submit(
            [i](SurveyStore& s) { s.insert_response(open_link("k" + std::to_string(i)), 1); },
            [i, fd = fds[1]](std::exception_ptr error) {
              if (!error) (void)!::write(fd, &i, sizeof i);
            });
        if (i % 64 == 63) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    } catch (...) {
    }
    ::_exit(3);
  }
  ::close(fds[1]);
  std::set<std::uint32_t> acknowledged;
  std::uint32_t id = 0;
  while (acknowledged.size() < 3000 && ::read(fds[0], &id, sizeof id) == sizeof id)
    acknowledged.insert(id);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  while (::read(fds[0], &id, sizeof id) == sizeof id)
    acknowledged.insert(id);
  ::close(fds[0]);
  ASSERT_GE(acknowledged.size(), 3000u);

  SurveyStore fresh(db());
  EXPECT_EQ(fresh.integrity_check(), "ok");
  std::set<std::string> stored;
  for (const auto& row : fresh.export_responses("s1", 0, 10'000'000))
    stored.insert(row.submission_id);
  std::size_t missing = 0;
  for (std::uint32_t k : acknowledged)
    missing += stored.count("k" + std::to_string(k)) == 0;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged";
  EXPECT_GE(stored.size(), acknowledged.size());
}

}  // namespace
}  // namespace sipas::store
