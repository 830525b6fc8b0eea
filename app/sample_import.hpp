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
// starts with "sample.csv:LINE: ".
class SampleError : public Error {
 public:
  using Error::Error;
};

// Reads a sample.csv written by `sipas sample` (id, stratum, psu,
// inclusion_probability, design_weight, role, reserve_rank, then carried
// columns). Carried columns named in `contact_columns` are contacts (kept
// apart, never exported with answers); the others are attributes. A carried
// column named like contact data (looks_like_contact_column) that is not a
// contact is refused (sample.contact_column), so a forgotten --contact cannot
// put phone numbers into exports. Throws SampleError or io's CsvError/IoError.
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
