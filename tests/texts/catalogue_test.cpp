// The catalogues themselves (texts/vi.json, texts/en.json): every key in both
// languages with the same placeholders, no empty text, and the lookups'
// errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "texts/texts.hpp"

namespace {

namespace texts = sipas::texts;
using ::testing::ElementsAre;

// The catalogue file as it is in the tree, read independently of the library.
nlohmann::ordered_json file(const std::string& language) {
  std::ifstream in(std::string(SIPAS_SOURCE_DIR) + "/texts/" + language + ".json");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return nlohmann::ordered_json::parse(buffer.str());
}

TEST(Catalogues, VietnameseFirstThenEnglish) {
  EXPECT_THAT(texts::languages(), ElementsAre("vi", "en"));
}

TEST(Catalogues, EveryKeyExistsInBothLanguages) {
  const auto vi = texts::keys("vi");
  const auto en = texts::keys("en");
  EXPECT_FALSE(vi.empty());
  for (const auto& key : vi)
    EXPECT_TRUE(texts::find("en", key)) << "en lacks " << key;
  for (const auto& key : en)
    EXPECT_TRUE(texts::find("vi", key)) << "vi lacks " << key;
}

TEST(Catalogues, BothLanguagesHaveTheSamePlaceholders) {
  for (const auto& key : texts::keys("vi")) {
    const std::string* en = texts::find("en", key);
    if (!en) continue;  // reported above
    EXPECT_EQ(texts::placeholders(texts::text("vi", key)), texts::placeholders(*en)) << key;
  }
}

TEST(Catalogues, NoTextIsEmptyAndEveryKeyIsDotted) {
  for (const auto& language : texts::languages()) {
    for (const auto& key : texts::keys(language)) {
      EXPECT_FALSE(texts::text(language, key).empty()) << language << " " << key;
      EXPECT_NE(key.find('.'), std::string::npos) << key;
    }
  }
}

TEST(Catalogues, TheEmbeddedTextsAreTheFilesInTheTree) {
  for (const auto& language : texts::languages()) {
    const auto json = file(language);
    EXPECT_EQ(json.size(), texts::keys(language).size()) << language << ": a key given twice?";
    for (const auto& [key, value] : json.items())
      EXPECT_EQ(texts::text(language, key), value.get<std::string>()) << language << " " << key;
  }
}

TEST(Texts, AMissingKeyOrLanguageIsATypedError) {
  try {
    texts::text("vi", "form.no_such_key");
    FAIL() << "no error";
  } catch (const texts::TextsError& e) {
    EXPECT_EQ(e.id(), "texts.missing_key");
    EXPECT_THAT(e.what(), ::testing::HasSubstr("form.no_such_key"));
  }
  try {
    texts::text("fr", "form.submit");
    FAIL() << "no error";
  } catch (const texts::TextsError& e) {
    EXPECT_EQ(e.id(), "texts.unknown_language");
  }
  EXPECT_EQ(texts::find("vi", "form.no_such_key"), nullptr);
}

TEST(Texts, OnlyLanguagesWithoutACatalogueFallBackToEnglish) {
  EXPECT_EQ(texts::language_or_english("vi"), "vi");
  EXPECT_EQ(texts::language_or_english("en"), "en");
  EXPECT_EQ(texts::language_or_english("fr"), "en");
  EXPECT_EQ(texts::language_or_english(""), "en");
}

TEST(Texts, FormatFillsNamedPlaceholdersAndLeavesOtherBraces) {
  EXPECT_EQ(texts::fill("{count} of {total}", {{"count", "3"}, {"total", "7"}}), "3 of 7");
  EXPECT_EQ(texts::fill("{a}{b}", {{"a", "{b}"}, {"b", "x"}}), "{b}x");  // values are not re-read
  EXPECT_EQ(texts::fill("{x} {} { {", {{"y", "1"}}), "{x} {} { {");
  EXPECT_EQ(texts::fill("", {}), "");
  EXPECT_EQ(texts::format("en", "export.column.weight", {{"column", "w_final"}}),
            "Weight (w_final)");
  EXPECT_EQ(texts::format("vi", "export.column.weight", {{"column", "w_final"}}),
            "Trọng số (w_final)");
}

TEST(Texts, PlaceholdersAreNamesInBraces) {
  EXPECT_THAT(texts::placeholders("{2} and {1}, {count} {1} {Not} {} {a-b}"),
              ElementsAre("1", "2", "count"));
}

}  // namespace
