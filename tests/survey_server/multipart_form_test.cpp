// multipart/form-data as browsers send it (RFC 7578): the parts and their
// names, file names with quotes and escapes, bodies with CRLF inside, and
// every malformed body refused with request.bad_multipart.

#include <gtest/gtest.h>

#include "survey_server/api_error.hpp"
#include "survey_server/multipart_form.hpp"

namespace sipas::survey_server {
namespace {

// A body written as Chromium writes it for <input type=file> and a text field.
const std::string chromium_body =
    "------WebKitFormBoundaryx7y\r\n"
    "Content-Disposition: form-data; name=\"_csrf\"\r\n\r\n"
    "abc\r\n"
    "------WebKitFormBoundaryx7y\r\n"
    "Content-Disposition: form-data; name=\"sample\"; filename=\"m\\\"u.csv\"\r\n"
    "Content-Type: text/csv\r\n\r\n"
    "id,stratum\r\na1,W1\r\n\r\n"
    "------WebKitFormBoundaryx7y\r\n"
    "Content-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
    "Content-Type: application/octet-stream\r\n\r\n"
    "\r\n"
    "------WebKitFormBoundaryx7y--\r\n";

TEST(MultipartFormTest, TheBoundaryComesFromTheContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryx7y"),
            "----WebKitFormBoundaryx7y");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"a b\""), "a b");
  EXPECT_EQ(multipart_boundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')),
            std::nullopt);
}

TEST(MultipartFormTest, PartsKeepTheirNamesFileNamesAndExactBytes) {
  const auto parts = parse_multipart(chromium_body, "----WebKitFormBoundaryx7y");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "_csrf");
  EXPECT_EQ(parts[0].file_name, std::nullopt);
  EXPECT_EQ(parts[0].body, "abc");
  EXPECT_EQ(parts[1].name, "sample");
  EXPECT_EQ(parts[1].file_name, "m\"u.csv");
  // The file's own line breaks, its last one too, are the file's.
  EXPECT_EQ(parts[1].body, "id,stratum\r\na1,W1\r\n");
  EXPECT_EQ(parts[2].file_name, "");
  EXPECT_EQ(parts[2].body, "");
  EXPECT_EQ(find_part(parts, "sample"), &parts[1]);
  EXPECT_EQ(find_part(parts, "nope"), nullptr);
}

TEST(MultipartFormTest, APreambleIsSkippedAndABoundaryInsideABodyIsNotAnEnd) {
  const std::string body =
      "ignored preamble\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"
      "--b is text here\r\n--bb\r\n--b--\r\n";
  const auto parts = parse_multipart(body, "b");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].body, "--b is text here\r\n--bb");
}

TEST(MultipartFormTest, MalformedBodiesAreRefusedWithOneId) {
  const std::vector<std::string> bad = {
      "",
      "no boundary at all",
      "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nnever ends",
      "--b\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nno blank line",
      "--bXYZ\r\n",
      "--b\r\nNo colon here\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"unterminated\r\n\r\nx\r\n--b--",
  };
  for (const auto& body : bad) {
    try {
      parse_multipart(body, "b");
      ADD_FAILURE() << "accepted: " << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400) << body;
      EXPECT_EQ(e.id(), "request.bad_multipart") << body;
    }
  }
}

TEST(MultipartFormTest, TooManyPartsAreRefused) {
  std::string body;
  for (int i = 0; i < 5; ++i)
    body +=
        "--b\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\nv\r\n";
  body += "--b--\r\n";
  EXPECT_EQ(parse_multipart(body, "b", 5).size(), 5u);
  EXPECT_THROW(parse_multipart(body, "b", 4), ApiError);
}

}  // namespace
}  // namespace sipas::survey_server
