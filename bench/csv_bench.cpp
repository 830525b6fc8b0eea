// Streaming CSV throughput: io::CsvReader over a generated population frame,
// beside the two floors it stands on (libcsv alone, SHA-256 alone), and
// io::CsvWriter.
//
// The frame (2,000,000 rows unless --frame_rows=N; columns id, province,
// district, commune, village, size, name, with Vietnamese place and person
// names, 5 % of names quoted for a comma and 0.5 % for doubled quotes) is
// generated once per run, before any timing, from a fixed seed, written to
// /tmp with CsvWriter, checked by one untimed CsvReader pass (row count, the
// quoted names read back as planned) and removed at exit. The reader
// benchmarks read it from the page cache: they measure parsing, not the disk.
// items_per_second is rows per second, bytes_per_second file bytes.

#include <benchmark/benchmark.h>
#include <csv.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io/csv_reader.hpp"
#include "io/csv_writer.hpp"
#include "io/sha256.hpp"

namespace {

namespace fs = std::filesystem;

// --frame_rows=N (ours, taken out before Google Benchmark sees the flags).
std::size_t frame_rows = 2'000'000;
constexpr std::uint64_t seed = 20240601;
constexpr std::size_t columns = 7;

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "csv_bench: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

// splitmix64: a fixed sequence on every compiler, unlike std distributions.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

constexpr std::array<std::string_view, 8> provinces = {
    "Hà Nội",  "Thừa Thiên Huế", "Đà Nẵng", "Hồ Chí Minh",
    "Cần Thơ", "Quảng Ninh",     "Nghệ An", "Lâm Đồng"};
constexpr std::array<std::string_view, 10> family = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng",
                                                     "Huỳnh",  "Phan", "Vũ", "Võ",   "Đặng"};
constexpr std::array<std::string_view, 6> middle = {"Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh"};
constexpr std::array<std::string_view, 10> given = {"An",  "Bình", "Cường", "Dũng",   "Hoa",
                                                    "Lan", "Mai",  "Nam",   "Phương", "Quân"};

struct Frame {
  fs::path path;
  std::uint64_t bytes = 0;
  std::size_t names_with_comma = 0;  // written quoted
  std::size_t names_with_quote = 0;  // written quoted, quotes doubled
  ~Frame() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
};

// One frame row into `fields` (views into `storage`).
void make_row(Random& random, std::size_t id, std::array<std::string, columns>& storage,
              Frame& frame) {
  std::size_t p = random.below(provinces.size());
  storage[0] = std::to_string(id);
  storage[1] = provinces[p];
  storage[2] = "Huyện " + std::to_string(1 + random.below(30));
  storage[3] = "Xã " + std::to_string(1 + random.below(40));
  storage[4] = "Thôn " + std::to_string(1 + random.below(20));
  storage[5] = std::to_string(1 + random.below(5000));
  std::size_t kind = random.below(1000);
  if (kind < 50) {  // 5 %: an organisation, with a comma
    storage[6] = "Công ty TNHH " + std::string(given[random.below(given.size())]) +
                 " Phát, chi nhánh " + std::to_string(1 + random.below(99));
    ++frame.names_with_comma;
  } else if (kind < 55) {  // 0.5 %: a cooperative with a quoted name
    storage[6] = "Hợp tác xã \"" + std::string(given[random.below(given.size())]) + " Minh\"";
    ++frame.names_with_quote;
  } else {
    storage[6] = std::string(family[random.below(family.size())]) + " " +
                 std::string(middle[random.below(middle.size())]) + " " +
                 std::string(given[random.below(given.size())]);
  }
}

std::unique_ptr<Frame>& frame_holder() {
  static std::unique_ptr<Frame> holder;
  return holder;
}

const Frame& frame() {
  auto& holder = frame_holder();
  if (!holder) {
    auto made = std::make_unique<Frame>();
    made->path =
        fs::temp_directory_path() / ("sipas-csv-bench-" + std::to_string(::getpid()) + ".csv");
    Random random{seed};
    std::array<std::string, columns> storage;
    std::array<std::string_view, columns> views;
    sipas::io::CsvWriter writer(made->path);
    writer.write_row({"id", "province", "district", "commune", "village", "size", "name"});
    for (std::size_t id = 1; id <= frame_rows; ++id) {
      make_row(random, id, storage, *made);
      for (std::size_t i = 0; i < columns; ++i)
        views[i] = storage[i];
      writer.write_row(views);
    }
    writer.commit();
    made->bytes = fs::file_size(made->path);

    // Check before timing: every row read back, the tricky names as planned.
    sipas::io::CsvReader reader(made->path);
    std::size_t rows = 0, commas = 0, quotes = 0;
    std::size_t name = reader.require_column("name");
    while (reader.next()) {
      ++rows;
      commas += reader.field(name).find(',') != std::string_view::npos;
      quotes += reader.field(name).find('"') != std::string_view::npos;
    }
    if (rows != frame_rows || commas != made->names_with_comma ||
        quotes != made->names_with_quote || reader.bytes_read() != made->bytes) {
      fail("generated frame does not read back as written: " + std::to_string(rows) + " rows, " +
           std::to_string(commas) + " names with a comma (planned " +
           std::to_string(made->names_with_comma) + "), " + std::to_string(quotes) +
           " with a quote (planned " + std::to_string(made->names_with_quote) + ")");
    }
    std::fprintf(
        stderr,
        "csv_bench: frame %s: %zu rows, %llu bytes, %zu names with a comma, %zu with quotes\n",
        made->path.c_str(), rows, static_cast<unsigned long long>(made->bytes), commas, quotes);
    holder = std::move(made);
  }
  return *holder;
}

void report(benchmark::State& state, std::size_t rows_per_pass) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * rows_per_pass));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame().bytes));
  state.counters["bytes_per_row"] =
      static_cast<double>(frame().bytes) / static_cast<double>(rows_per_pass);
}

// The full reader: open, header, every record, every field looked at, and
// the SHA-256 it computes on the way.
void BM_CsvReaderFrame(benchmark::State& state) {
  const Frame& f = frame();
  for (auto _ : state) {
    sipas::io::CsvReader reader(f.path);
    std::size_t rows = 0, field_bytes = 0;
    while (reader.next()) {
      ++rows;
      for (auto field : reader.fields())
        field_bytes += field.size();
    }
    if (rows != frame_rows) fail("reader pass found " + std::to_string(rows) + " rows");
    benchmark::DoNotOptimize(field_bytes);
    benchmark::DoNotOptimize(reader.sha256());
  }
  report(state, frame_rows);
}

// The floor under the reader: libcsv with the reader's options and empty
// callbacks, the same 1 MiB read(2) blocks, no hash.
void BM_LibcsvAlone(benchmark::State& state) {
  const Frame& f = frame();
  std::vector<char> block(std::size_t{1} << 20);
  struct Counts {
    std::size_t fields = 0, rows = 0;
  };
  auto on_field = [](void*, std::size_t, void* data) { ++static_cast<Counts*>(data)->fields; };
  auto on_row = [](int, void* data) { ++static_cast<Counts*>(data)->rows; };
  auto no_spaces = [](unsigned char) { return 0; };
  for (auto _ : state) {
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open the frame");
    csv_parser parser;
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
    csv_set_space_func(&parser, no_spaces);
    Counts counts;
    ssize_t n;
    while ((n = ::read(fd, block.data(), block.size())) > 0)
      csv_parse(&parser, block.data(), static_cast<std::size_t>(n), on_field, on_row, &counts);
    csv_fini(&parser, on_field, on_row, &counts);
    csv_free(&parser);
    ::close(fd);
    if (counts.fields != (frame_rows + 1) * columns) fail("libcsv pass miscounted fields");
  }
  report(state, frame_rows);
}

// The other floor: hashing the same bytes.
void BM_Sha256File(benchmark::State& state) {
  const Frame& f = frame();
  for (auto _ : state)
    benchmark::DoNotOptimize(sipas::io::sha256_file(f.path));
  report(state, frame_rows);
}

// The writer: 2,000,000 rows cycled from 100,000 generated ones, into a
// temporary that is discarded (no commit, so no fsync: the figure is the
// writer's, not the disk's).
void BM_CsvWriterFrame(benchmark::State& state) {
  constexpr std::size_t distinct = 100'000;
  Frame scratch;  // only counts; has no file
  Random random{seed};
  std::array<std::string, columns> storage;
  std::vector<std::string> cells;
  cells.reserve(distinct * columns);
  for (std::size_t id = 1; id <= distinct; ++id) {
    make_row(random, id, storage, scratch);
    for (auto& cell : storage)
      cells.push_back(cell);
  }
  std::vector<std::string_view> views(cells.begin(), cells.end());
  auto target =
      fs::temp_directory_path() / ("sipas-csv-bench-out-" + std::to_string(::getpid()) + ".csv");
  for (auto _ : state) {
    sipas::io::CsvWriter writer(target);
    for (std::size_t r = 0; r < frame_rows; ++r) {
      std::size_t row = r % distinct;
      writer.write_row(std::span<const std::string_view>(views.data() + row * columns, columns));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frame_rows));
}

}  // namespace

BENCHMARK(BM_CsvReaderFrame)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LibcsvAlone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sha256File)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvWriterFrame)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  constexpr std::string_view rows_flag = "--frame_rows=";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(rows_flag)) {
      frame_rows = std::stoull(std::string(arg.substr(rows_flag.size())));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    frame();  // generated and checked before any timing
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  benchmark::Shutdown();
  frame_holder().reset();  // removes the generated file
  return 0;
}
