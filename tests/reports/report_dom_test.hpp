#pragma once

// A strict reader of the report's markup for the tests: the page is HTML5
// that is also well-formed XML, so every element must be closed in order,
// every attribute quoted, and only XML's entities used; anything else throws.
// Elements are kept in document order with their parent, attributes and the
// byte range of their content, so a test can find charts, rows and cells and
// read what a person would see.

#include <cctype>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sipas::test::dom {

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  int parent = -1;
  std::size_t content_begin = 0, content_end = 0;  // the content's bytes in the source

  std::string attr(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
  bool has_class(const std::string& css_class) const {
    const std::string classes = " " + attr("class") + " ";
    return classes.find(" " + css_class + " ") != std::string::npos;
  }
};

inline std::string decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const auto end = text.find(';', i);
    if (end == std::string_view::npos) throw std::runtime_error("bare & in text");
    const std::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp")
      out += '&';
    else if (entity == "lt")
      out += '<';
    else if (entity == "gt")
      out += '>';
    else if (entity == "quot")
      out += '"';
    else if (entity == "#39" || entity == "apos")
      out += '\'';
    else
      throw std::runtime_error("entity &" + std::string(entity) + "; is not XML's");
    i = end;
  }
  return out;
}

class Document {
 public:
  explicit Document(std::string source) : source_(std::move(source)) { parse(); }

  const std::vector<Element>& elements() const { return elements_; }
  const std::string& source() const { return source_; }

  // The text of element `i` (tags removed, entities decoded).
  std::string text(std::size_t i) const {
    const Element& e = elements_.at(i);
    const std::string_view content =
        std::string_view(source_).substr(e.content_begin, e.content_end - e.content_begin);
    std::string raw;
    bool in_tag = false;
    for (char c : content) {
      if (c == '<')
        in_tag = true;
      else if (c == '>')
        in_tag = false;
      else if (!in_tag)
        raw += c;
    }
    return decode(raw);
  }

  bool is_inside(std::size_t i, std::size_t ancestor) const {
    for (int p = elements_.at(i).parent; p >= 0;
         p = elements_[static_cast<std::size_t>(p)].parent) {
      if (static_cast<std::size_t>(p) == ancestor) return true;
    }
    return false;
  }

  // Indices of the elements named `name` (any name when empty) with class
  // `css_class` (any when empty), inside `within` (anywhere when npos).
  std::vector<std::size_t> find(const std::string& name, const std::string& css_class = "",
                                std::size_t within = std::string::npos) const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < elements_.size(); ++i) {
      const Element& e = elements_[i];
      if (!name.empty() && e.name != name) continue;
      if (!css_class.empty() && !e.has_class(css_class)) continue;
      if (within != std::string::npos && !is_inside(i, within)) continue;
      out.push_back(i);
    }
    return out;
  }
  std::size_t by_id(const std::string& id) const {
    for (std::size_t i = 0; i < elements_.size(); ++i) {
      if (elements_[i].attr("id") == id) return i;
    }
    throw std::runtime_error("no element with id " + id);
  }
  const Element& operator[](std::size_t i) const { return elements_.at(i); }

 private:
  void parse() {
    std::vector<std::size_t> open;
    std::size_t i = 0;
    const std::string& s = source_;
    auto fail = [&](const std::string& what) {
      throw std::runtime_error("markup at byte " + std::to_string(i) + ": " + what);
    };
    while (i < s.size()) {
      if (s[i] != '<') {
        if (s[i] == '&') {
          const auto end = s.find(';', i);
          if (end == std::string::npos) fail("bare &");
          decode(std::string_view(s).substr(i, end - i + 1));
        }
        ++i;
        continue;
      }
      if (s.compare(i, 4, "<!--") == 0) {
        i = s.find("-->", i);
        if (i == std::string::npos) fail("comment not closed");
        i += 3;
        continue;
      }
      if (s.compare(i, 2, "<!") == 0) {
        i = s.find('>', i) + 1;
        continue;
      }
      if (s.compare(i, 2, "</") == 0) {
        const auto end = s.find('>', i);
        const std::string name = s.substr(i + 2, end - i - 2);
        if (open.empty() || elements_[open.back()].name != name)
          fail("</" + name + "> closes nothing open");
        elements_[open.back()].content_end = i;
        open.pop_back();
        i = end + 1;
        continue;
      }
      // A start tag: name, then name="value" pairs, then > or />.
      std::size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '-'))
        ++j;
      Element e;
      e.name = s.substr(i + 1, j - i - 1);
      if (e.name.empty()) fail("'<' that starts no tag");
      e.parent = open.empty() ? -1 : static_cast<int>(open.back());
      bool self_closing = false;
      while (true) {
        while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])))
          ++j;
        if (j >= s.size()) fail("tag not closed");
        if (s[j] == '>') {
          ++j;
          break;
        }
        if (s.compare(j, 2, "/>") == 0) {
          self_closing = true;
          j += 2;
          break;
        }
        std::size_t k = j;
        while (k < s.size() && s[k] != '=' && s[k] != '>' &&
               !std::isspace(static_cast<unsigned char>(s[k])))
          ++k;
        const std::string key = s.substr(j, k - j);
        if (k >= s.size() || s[k] != '=' || s[k + 1] != '"')
          fail("attribute " + key + " not quoted");
        const auto close = s.find('"', k + 2);
        const std::string raw = s.substr(k + 2, close - k - 2);
        if (raw.find('<') != std::string::npos) fail("'<' in attribute " + key);
        if (e.attributes.count(key)) fail("attribute " + key + " twice");
        e.attributes[key] = decode(raw);
        j = close + 1;
      }
      e.content_begin = e.content_end = j;
      elements_.push_back(std::move(e));
      const std::size_t index = elements_.size() - 1;
      if (elements_[index].name == "style") {
        const auto end = s.find("</style>", j);
        if (end == std::string::npos) fail("style not closed");
        elements_[index].content_end = end;
        i = end + 8;
        continue;
      }
      if (!self_closing) open.push_back(index);
      i = j;
    }
    if (!open.empty()) throw std::runtime_error("<" + elements_[open.back()].name + "> not closed");
  }

  std::string source_;
  std::vector<Element> elements_;
};

// "43.210%" -> 43.21
inline double percent_of(const std::string& text) {
  if (text.empty() || text.back() != '%') throw std::runtime_error("not a percentage: " + text);
  return std::stod(text.substr(0, text.size() - 1));
}

}  // namespace sipas::test::dom
