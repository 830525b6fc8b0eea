// Streaming CSV throughput: io::CsvReader over a generated population frame,
// beside the two floors it stands on (libcsv alone, SHA-256 alone), and
// io::CsvWriter.
//
// The frame has 2,000,000 rows (--frame_rows=N to change) and the columns
// id, province, district, commune, village, size, name. It comes in two
// kinds: `names`, where the four area columns are Vietnamese place names
// ("Thừa Thiên Huế", "Huyện 7", "Xã 27", "Thôn 2"; about 70 bytes a row), and
// `codes`, where they are administrative codes as a statistics office frame
// has them ("46", "474", "19753", "02"; about 47 bytes a row). In both, names
// are Vietnamese person names; 5 % are organisations with a comma (quoted)
// and 0.5 % have doubled quotes.
//
// Each frame is generated once per run, before any timing, from a fixed seed,
// written to /tmp with CsvWriter, checked by one untimed CsvReader pass (row
// count, the quoted names read back as planned) and removed at exit. The
// reader benchmarks read it from the page cache: they measure parsing, not the
// disk. items_per_second is rows per second, bytes_per_second file bytes.

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
#include <span>
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

enum class Kind { names = 0, codes = 1 };

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

std::string zero_padded(std::size_t value, std::size_t width) {
  std::string digits = std::to_string(value);
  return std::string(width > digits.size() ? width - digits.size() : 0, '0') + digits;
}

struct Counts {
  std::size_t names_with_comma = 0;  // written quoted
  std::size_t names_with_quote = 0;  // written quoted, quotes doubled
};

void make_row(Kind kind, Random& random, std::size_t id, std::array<std::string, columns>& row,
              Counts& counts) {
  row[0] = std::to_string(id);
  if (kind == Kind::names) {
    row[1] = provinces[random.below(provinces.size())];
    row[2] = "Huyện " + std::to_string(1 + random.below(30));
    row[3] = "Xã " + std::to_string(1 + random.below(40));
    row[4] = "Thôn " + std::to_string(1 + random.below(20));
  } else {
    row[1] = zero_padded(1 + random.below(96), 2);
    row[2] = zero_padded(1 + random.below(999), 3);
    row[3] = zero_padded(1 + random.below(32000), 5);
    row[4] = zero_padded(1 + random.below(40), 2);
  }
  row[5] = std::to_string(1 + random.below(5000));
  std::size_t name_kind = random.below(1000);
  if (name_kind < 50) {
    row[6] = "Công ty TNHH " + std::string(given[random.below(given.size())]) +
             " Phát, chi nhánh " + std::to_string(1 + random.below(99));
    ++counts.names_with_comma;
  } else if (name_kind < 55) {
    row[6] = "Hợp tác xã \"" + std::string(given[random.below(given.size())]) + " Minh\"";
    ++counts.names_with_quote;
  } else {
    row[6] = std::string(family[random.below(family.size())]) + " " +
             std::string(middle[random.below(middle.size())]) + " " +
             std::string(given[random.below(given.size())]);
  }
}

struct Frame {
  fs::path path;
  std::uint64_t bytes = 0;
  Counts planned;
  Frame() = default;
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  ~Frame() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
};

std::array<std::unique_ptr<Frame>, 2>& frames() {
  static std::array<std::unique_ptr<Frame>, 2> made;
  return made;
}

const Frame& frame(Kind kind) {
  auto& slot = frames()[static_cast<std::size_t>(kind)];
  if (slot) return *slot;
  const char* name = kind == Kind::names ? "names" : "codes";
  auto f = std::make_unique<Frame>();
  f->path = fs::temp_directory_path() /
            ("sipas-csv-bench-" + std::to_string(::getpid()) + "-" + name + ".csv");
  Random random{seed};
  std::array<std::string, columns> row;
  std::array<std::string_view, columns> views;
  sipas::io::CsvWriter writer(f->path);
  writer.write_row({"id", "province", "district", "commune", "village", "size", "name"});
  for (std::size_t id = 1; id <= frame_rows; ++id) {
    make_row(kind, random, id, row, f->planned);
    for (std::size_t i = 0; i < columns; ++i)
      views[i] = row[i];
    writer.write_row(views);
  }
  writer.commit();
  f->bytes = fs::file_size(f->path);

  // Checked before timing: every row read back, the quoted names as planned.
  sipas::io::CsvReader reader(f->path);
  std::size_t rows = 0;
  Counts found;
  std::size_t name_column = reader.require_column("name");
  while (reader.next()) {
    ++rows;
    found.names_with_comma += reader.field(name_column).find(',') != std::string_view::npos;
    found.names_with_quote += reader.field(name_column).find('"') != std::string_view::npos;
  }
  if (rows != frame_rows || found.names_with_comma != f->planned.names_with_comma ||
      found.names_with_quote != f->planned.names_with_quote || reader.bytes_read() != f->bytes) {
    fail(std::string(name) + " frame does not read back as written: " + std::to_string(rows) +
         " rows, " + std::to_string(found.names_with_comma) + " names with a comma (planned " +
         std::to_string(f->planned.names_with_comma) + "), " +
         std::to_string(found.names_with_quote) + " with a quote (planned " +
         std::to_string(f->planned.names_with_quote) + ")");
  }
  std::fprintf(stderr,
               "csv_bench: %s frame %s: %zu rows, %llu bytes (%.1f a row), %zu names with a "
               "comma, %zu with quotes\n",
               name, f->path.c_str(), rows, static_cast<unsigned long long>(f->bytes),
               static_cast<double>(f->bytes) / static_cast<double>(rows), found.names_with_comma,
               found.names_with_quote);
  slot = std::move(f);
  return *slot;
}

void report(benchmark::State& state, const Frame& f) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frame_rows));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.bytes));
  state.counters["bytes_per_row"] = static_cast<double>(f.bytes) / static_cast<double>(frame_rows);
}

// The full reader: open, header, every record, every field looked at, and
// the SHA-256 it computes on the way.
void BM_CsvReader(benchmark::State& state, Kind kind) {
  const Frame& f = frame(kind);
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
  report(state, f);
}

// The same with CsvOptions::parse_in_background: libcsv on a second thread,
// the hash, the UTF-8 check and this loop on the benchmark's thread.
void BM_CsvReaderBackground(benchmark::State& state, Kind kind) {
  const Frame& f = frame(kind);
  for (auto _ : state) {
    sipas::io::CsvReader reader(f.path, {.parse_in_background = true});
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
  report(state, f);
}

// The floor under the reader: libcsv with the reader's options and empty
// callbacks, the same 1 MiB read(2) blocks, no hash, no UTF-8 check.
void BM_LibcsvAlone(benchmark::State& state, Kind kind) {
  const Frame& f = frame(kind);
  std::vector<char> block(std::size_t{1} << 20);
  struct Seen {
    std::size_t fields = 0, rows = 0;
  };
  auto on_field = [](void*, std::size_t, void* data) { ++static_cast<Seen*>(data)->fields; };
  auto on_row = [](int, void* data) { ++static_cast<Seen*>(data)->rows; };
  auto no_spaces = [](unsigned char) { return 0; };
  for (auto _ : state) {
    int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open the frame");
    csv_parser parser;
    csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
    csv_set_space_func(&parser, no_spaces);
    Seen seen;
    ssize_t n;
    while ((n = ::read(fd, block.data(), block.size())) > 0)
      csv_parse(&parser, block.data(), static_cast<std::size_t>(n), on_field, on_row, &seen);
    csv_fini(&parser, on_field, on_row, &seen);
    csv_free(&parser);
    ::close(fd);
    if (seen.fields != (frame_rows + 1) * columns) fail("libcsv pass miscounted fields");
  }
  report(state, f);
}

// The other floor: hashing the same bytes.
void BM_Sha256File(benchmark::State& state, Kind kind) {
  const Frame& f = frame(kind);
  for (auto _ : state)
    benchmark::DoNotOptimize(sipas::io::sha256_file(f.path));
  report(state, f);
}

// The writer: frame_rows rows cycled from 100,000 generated ones, into a
// temporary that is discarded (no commit, so no fsync: the figure is the
// writer's, not the disk's).
void BM_CsvWriter(benchmark::State& state, Kind kind) {
  constexpr std::size_t distinct = 100'000;
  Random random{seed};
  Counts ignored;
  std::array<std::string, columns> row;
  std::vector<std::string> cells;
  cells.reserve(distinct * columns);
  std::size_t bytes = 0;
  for (std::size_t id = 1; id <= distinct; ++id) {
    make_row(kind, random, id, row, ignored);
    for (auto& cell : row) {
      bytes += cell.size();
      cells.push_back(cell);
    }
  }
  std::vector<std::string_view> views(cells.begin(), cells.end());
  auto target =
      fs::temp_directory_path() / ("sipas-csv-bench-out-" + std::to_string(::getpid()) + ".csv");
  for (auto _ : state) {
    sipas::io::CsvWriter writer(target);
    for (std::size_t r = 0; r < frame_rows; ++r) {
      std::size_t i = r % distinct;
      writer.write_row(std::span<const std::string_view>(views.data() + i * columns, columns));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frame_rows));
  // Field bytes (before quoting and delimiters), for a rough MB/s.
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * frame_rows * bytes / distinct));
}

}  // namespace

BENCHMARK_CAPTURE(BM_CsvReader, names, Kind::names)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CsvReader, codes, Kind::codes)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CsvReaderBackground, names, Kind::names)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_CsvReaderBackground, codes, Kind::codes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_LibcsvAlone, names, Kind::names)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_LibcsvAlone, codes, Kind::codes)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Sha256File, names, Kind::names)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CsvWriter, names, Kind::names)->Unit(benchmark::kMillisecond);

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
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    fail(e.what());
  }
  benchmark::Shutdown();
  for (auto& f : frames())
    f.reset();  // removes the generated files
  return 0;
}
