#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "io/csv_writer.hpp"
#include "io/error.hpp"
#include "store/store.hpp"

namespace sipas::app {

// A sample file that cannot be imported. Id sample.invalid; the message
// starts with "sample.csv:LINE: ". When several lines are bad, each is a
// problem of its own (in file order) and the message is all of them, a
// line each.
class SampleError : public Error {
 public:
  SampleError(std::string id, const std::string& message)
      : Error(std::move(id), message), problems_{message} {}
  SampleError(std::string id, std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// At most this many bad lines are named; the last problem then says how
// many more there were.
inline constexpr std::size_t max_sample_problems = 100;

// Reads a sample.csv written by `sipas sample` (id, stratum, psu,
// inclusion_probability, design_weight, role, reserve_rank, then carried
// columns). Carried columns named in `contact_columns` are contacts (kept
// apart, never exported with answers); the others are attributes. A carried
// column named like contact data (looks_like_contact_column) that is not a
// contact is refused (sample.contact_column), so a forgotten --contact cannot
// put phone numbers into exports. Every bad row is named before anything
// is refused (an id empty or repeated, a bad number or role): SampleError
// with one problem per line. Throws SampleError or io's CsvError/IoError (a
// file that is not CSV stops at its first fault).
std::vector<store::InvitationInput> read_sample(const std::filesystem::path& path,
                                                const std::vector<std::string>& contact_columns);

// True for names such as phone, Email, so_dien_thoai, dia-chi, CCCD, ho_ten
// (case, '_', '-', ' ' and '.' ignored).
bool looks_like_contact_column(std::string_view name);

// The links CSV for mail merge or SMS: id, stratum, psu, role, reserve_rank,
// token, link, then the contact columns. `base_url` without a trailing slash.
// An import passes its --contact columns; activated reserves pass
// stored_contact_columns(issued), which are the same names in the same order
// (read_sample stores contacts in --contact order).
// A cell a spreadsheet would run as a formula gets an apostrophe in front
// (a contact such as "+84 91 234 5678"; tokens never start with '-') unless
// `csv` says neutralise_formulas = false.
std::string links_csv(const std::vector<store::IssuedInvitation>& issued,
                      const std::string& base_url, const std::string& survey,
                      const std::vector<std::string>& contact_columns,
                      const io::CsvWriterOptions& csv = {});

// The names of the issued invitations' stored contacts, in stored order
// (the union, in order of first appearance, when imports differed).
std::vector<std::string> stored_contact_columns(const std::vector<store::IssuedInvitation>& issued);

}  // namespace sipas::app
