#include "questionnaires/synthetic_responses.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include "io/error.hpp"

namespace sipas::questionnaires {

using questionnaires::Item;
using questionnaires::ItemType;
using questionnaires::Questionnaire;
using questionnaires::RawAnswer;
using questionnaires::RawCode;
using questionnaires::Response;

namespace {

// Short answers as respondents write them ("other (specify)" boxes, comments).
constexpr std::array<std::string_view, 16> short_texts = {
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Hộ kinh doanh cá thể",
    "Nội trợ",
    "Làm nông nghiệp",
    "Thợ may",
    "Qua Zalo của tổ dân phố",
    "Qua cán bộ thôn",
    "Trung cấp chuyên nghiệp",
    "Bổ túc văn hóa",
    "Lái xe công nghệ",
    "Đang chờ việc",
};

constexpr std::array<std::string_view, 10> comments = {
    "Cán bộ tiếp dân nhiệt tình, hướng dẫn rõ ràng.",
    "Thời gian chờ đợi còn lâu, cần bố trí thêm quầy tiếp nhận.",
    "Đề nghị công khai rõ hơn phí, lệ phí tại bộ phận một cửa.",
    "Dịch vụ công trực tuyến đôi khi bị lỗi, phải nộp lại hồ sơ.",
    "Hài lòng với thái độ phục vụ.",
    "Nên có chỗ để xe và ghế ngồi chờ cho người cao tuổi.",
    "Hồ sơ được trả đúng hẹn.",
    "Cần rút gọn thành phần hồ sơ đất đai.",
    "Mong được nhắn tin báo kết quả qua điện thoại.",
    "Không có ý kiến gì thêm.",
};

// The units an invitation names (preloaded items).
constexpr std::array<std::string_view, 8> units = {
    "Sở Tư pháp tỉnh Bắc Ninh",
    "Sở Tài nguyên và Môi trường tỉnh Quảng Nam",
    "UBND huyện Tiên Du",
    "UBND phường Bến Nghé, Quận 1",
    "Sở Giao thông vận tải tỉnh Lào Cai",
    "UBND xã Tân Lập",
    "Sở Kế hoạch và Đầu tư tỉnh Cần Thơ",
    "Văn phòng UBND tỉnh Thừa Thiên Huế",
};

// The first `max_chars` code points of valid UTF-8 `text`.
std::string truncate_utf8(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts_char = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_char && chars++ == max_chars) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

std::string date_text(std::int64_t days) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::int64_t days_of(int year, unsigned month, unsigned day) {
  auto ymd = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

// The range numbers are drawn from: the item's own bounds, or 100 wide.
std::pair<double, double> number_range(const Item& item) {
  double lo = item.min ? *item.min : item.max ? *item.max - 100 : 0;
  double hi = item.max ? *item.max : lo + 100;
  return {lo, hi};
}

bool is_choice(const Item& item) {
  return item.type == ItemType::Single || item.type == ItemType::Likert ||
         item.type == ItemType::Multiple;
}

bool has_answer(const Response& r, const Item& item) {
  return !r.answers[item.slot].absent();
}

}  // namespace

ResponseGenerator::ResponseGenerator(const Questionnaire& q, GeneratorOptions options)
    : q_(q), options_(options), rng_(options.seed), validator_(q) {}

std::uint64_t ResponseGenerator::below(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // 2^64 mod bound: the draws below it would make low values more likely.
  const std::uint64_t reject_below = (0 - bound) % bound;
  for (;;) {
    std::uint64_t x = rng_();
    if (x >= reject_below) return x % bound;
  }
}

bool ResponseGenerator::chance(double p) {
  constexpr std::uint64_t resolution = 1'000'000;
  return static_cast<double>(below(resolution)) < p * static_cast<double>(resolution);
}

RawAnswer ResponseGenerator::random_code(const Item& item) {
  const auto& choices = item.scale->choices;
  std::uint16_t pick = static_cast<std::uint16_t>(below(choices.size()));
  // The codes a satisfied respondent gives: the item's satisfied codes, or
  // the favourable codes of its indicator (e.g. "satisfied overall" = 4, 5).
  const std::vector<std::uint16_t>* favourable =
      !item.scoring                      ? nullptr
      : !item.scoring->satisfied.empty() ? &item.scoring->satisfied
      : item.scoring->indicator          ? &item.scoring->indicator->choices
                                         : nullptr;
  if (options_.satisfaction >= 0 && favourable && !favourable->empty()) {
    // Satisfied with the respondent's propensity; otherwise one of the other
    // codes that count (not a "don't know").
    const auto& satisfied = *favourable;
    std::vector<std::uint16_t> others;
    for (std::uint16_t c = 0; c < choices.size(); ++c) {
      bool is_satisfied = std::find(satisfied.begin(), satisfied.end(), c) != satisfied.end();
      if (!is_satisfied && !item.scale->is_excluded(c)) others.push_back(c);
    }
    if (chance(options_.satisfaction) || others.empty()) {
      pick = satisfied[below(satisfied.size())];
    } else {
      pick = others[below(others.size())];
    }
  }
  const auto& code = choices[pick].code;
  return code.is_number ? RawAnswer::of_integer(code.number) : RawAnswer::of_string(code.text);
}

std::string ResponseGenerator::random_text(const Item& item) {
  std::string text;
  if (item.preload_invitation) {
    text = units[below(units.size())];
  } else if (item.type == ItemType::LongText) {
    auto sentences = 1 + below(3);
    for (std::uint64_t i = 0; i < sentences; ++i) {
      if (i) text += ' ';
      text += comments[below(comments.size())];
    }
  } else {
    text = short_texts[below(short_texts.size())];
  }
  return truncate_utf8(text, item.max_length);
}

RawAnswer ResponseGenerator::random_answer(const Item& item) {
  switch (item.type) {
    case ItemType::Single:
    case ItemType::Likert:
      return random_code(item);
    case ItemType::Multiple: {
      const auto& choices = item.scale->choices;
      std::uint64_t n = choices.size();
      std::uint64_t hi = std::min<std::uint64_t>(item.max_selections, n);
      std::uint64_t lo =
          std::min<std::uint64_t>(std::max<std::uint64_t>(item.min_selections, 1), hi);
      std::uint64_t k = lo + below(hi - lo + 1);
      // A partial Fisher-Yates shuffle: the first k indices are the selection.
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::vector<RawCode> codes;
      for (std::uint64_t i = 0; i < k; ++i) {
        std::swap(order[i], order[i + below(n - i)]);
        const auto& code = choices[order[i]].code;
        RawCode c;
        c.kind = code.is_number ? RawCode::Kind::Integer : RawCode::Kind::String;
        c.integer = code.number;
        if (!code.is_number) c.text = code.text;
        codes.push_back(std::move(c));
      }
      return RawAnswer::of_codes(std::move(codes));
    }
    case ItemType::Rating:
    case ItemType::Integer: {
      auto [lo_d, hi_d] = number_range(item);
      auto lo = static_cast<std::int64_t>(std::ceil(lo_d));
      auto hi = static_cast<std::int64_t>(std::floor(hi_d));
      if (hi < lo) hi = lo;
      auto span = static_cast<std::uint64_t>(hi - lo) + 1;
      return RawAnswer::of_integer(lo + static_cast<std::int64_t>(below(span)));
    }
    case ItemType::Decimal: {
      auto [lo, hi] = number_range(item);
      double u = static_cast<double>(below(1'000'001)) / 1e6;
      double v = std::round((lo + (hi - lo) * u) * 100) / 100;  // two decimals, as typed
      return RawAnswer::of_number(std::clamp(v, lo, hi));
    }
    case ItemType::Date: {
      std::int64_t lo = item.min_day   ? *item.min_day
                        : item.max_day ? *item.max_day - 3650
                                       : days_of(2015, 1, 1);
      std::int64_t hi = item.max_day ? *item.max_day : lo + 3650;
      if (hi < lo) hi = lo;
      return RawAnswer::of_string(date_text(
          lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1))));
    }
    case ItemType::Text:
    case ItemType::LongText:
      return RawAnswer::of_string(random_text(item));
    case ItemType::Note:
    case ItemType::Matrix:
    case ItemType::Calculate:
      break;
  }
  return RawAnswer{};
}

Response ResponseGenerator::valid() {
  const auto& items = q_.items();
  const auto& languages = q_.languages();
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    Response r = Response::empty_for(q_);
    r.questionnaire = q_.id();
    r.version = q_.version();
    r.language = languages.size() > 1 && chance(options_.other_language_rate)
                     ? languages[1 + below(languages.size() - 1)]
                     : languages.front();
    // A draft: every answerable item answered (optional ones sometimes), then
    // repaired against the validator, which knows the skip logic.
    for (const Item& item : items) {
      if (!item.answerable()) continue;
      bool may_be_required = item.required || item.required_if;
      if (may_be_required || chance(options_.optional_answer_rate)) {
        r.answers[item.slot] = random_answer(item);
      }
    }
    for (int round = 0; round < options_.max_repair_rounds; ++round) {
      const auto& result = validator_.validate(r);
      if (result.ok()) return r;
      for (const auto& issue : result.issues) {
        const Item* item = q_.find(issue.item);
        if (item == nullptr || !item->answerable()) {
          throw Error("synthetic.failed",
                      "response generator: unexpected " + issue.id + " (" + issue.message + ")");
        }
        RawAnswer& answer = r.answers[item->slot];
        if (issue.id == "response.not_relevant") {
          answer = RawAnswer{};
        } else if (issue.id == "response.required_missing") {
          answer = random_answer(*item);
        } else if (!item->required && !item->required_if && chance(0.5)) {
          answer = RawAnswer{};  // e.g. a failed constraint on an optional item
        } else {
          answer = random_answer(*item);  // draw again
        }
      }
    }
  }
  throw Error("synthetic.failed", "response generator: no valid response for questionnaire " +
                                      q_.id() + " after " + std::to_string(options_.max_attempts) +
                                      " attempts");
}

bool ResponseGenerator::try_defect(Response& r, Defect defect) {
  // Relevance as the validator saw it for the valid response `r`.
  const auto& items = q_.items();
  std::vector<const Item*> candidates;
  auto pick = [&](auto&& fits) -> const Item* {
    candidates.clear();
    for (const Item& item : items) {
      if (item.answerable() && fits(item)) candidates.push_back(&item);
    }
    return candidates.empty() ? nullptr : candidates[below(candidates.size())];
  };
  auto relevant_answered = [&](const Item& item) {
    return validator_.relevant(item.slot) && has_answer(r, item);
  };

  switch (defect) {
    case Defect::MissingRequired: {
      const Item* item = pick([&](const Item& i) { return i.required && relevant_answered(i); });
      if (!item) return false;
      r.answers[item->slot] = RawAnswer{};
      return true;
    }
    case Defect::UnknownCode: {
      const Item* item = pick([&](const Item& i) { return is_choice(i) && relevant_answered(i); });
      if (!item) return false;
      std::int64_t unknown = 1;
      for (const auto& c : item->scale->choices) {
        if (c.code.is_number) unknown = std::max(unknown, c.code.number + 1);
      }
      bool numeric = item->scale->choices.front().code.is_number;
      if (item->type == ItemType::Multiple) {
        auto& codes = r.answers[item->slot].codes;
        RawCode c;
        c.kind = numeric ? RawCode::Kind::Integer : RawCode::Kind::String;
        c.integer = unknown;
        c.text = "khong_ro";
        if (codes.empty()) {
          codes.push_back(std::move(c));
        } else {
          codes[below(codes.size())] = std::move(c);
        }
      } else {
        r.answers[item->slot] =
            numeric ? RawAnswer::of_integer(unknown) : RawAnswer::of_string("khong_ro");
      }
      return true;
    }
    case Defect::WrongType: {
      const Item* item = pick(relevant_answered);
      if (!item) return false;
      switch (item->type) {
        case ItemType::Text:
        case ItemType::LongText:
        case ItemType::Date:
          r.answers[item->slot] = RawAnswer::of_integer(20240315);
          break;
        case ItemType::Multiple:
          r.answers[item->slot] = RawAnswer::of_integer(1);
          break;
        default:
          if (is_choice(*item) && !item->scale->has_number_codes()) {
            r.answers[item->slot] = RawAnswer::of_integer(5);  // a number for a string code
          } else {
            // "năm" (five) written out: neither a code nor a number.
            r.answers[item->slot] = RawAnswer::of_string("năm");
          }
          break;
      }
      return true;
    }
    case Defect::NotRelevant: {
      const Item* item = pick([&](const Item& i) { return !validator_.relevant(i.slot); });
      if (!item) return false;
      r.answers[item->slot] = random_answer(*item);
      return true;
    }
    case Defect::OutOfRange: {
      const Item* item = pick([&](const Item& i) {
        if (!relevant_answered(i)) return false;
        switch (i.type) {
          case ItemType::Rating:
          case ItemType::Integer:
          case ItemType::Decimal:
            return i.max || i.min;
          case ItemType::Date:
            return i.max_day || i.min_day;
          case ItemType::Text:
          case ItemType::LongText:
            return i.max_length <= 10000;
          default:
            return false;
        }
      });
      if (!item) return false;
      switch (item->type) {
        case ItemType::Date:
          r.answers[item->slot] = RawAnswer::of_string(
              date_text(item->max_day ? *item->max_day + 1 : *item->min_day - 1));
          break;
        case ItemType::Text:
        case ItemType::LongText: {
          std::string text;
          for (std::size_t i = 0; i <= item->max_length; ++i)
            text += "ư";
          r.answers[item->slot] = RawAnswer::of_string(std::move(text));
          break;
        }
        default: {
          double v = item->max ? std::floor(*item->max) + 1 : std::ceil(*item->min) - 1;
          r.answers[item->slot] = RawAnswer::of_integer(static_cast<std::int64_t>(v));
          break;
        }
      }
      return true;
    }
    case Defect::UnknownItem:
      r.unknown_items.push_back("cau_hoi_la_" + std::to_string(below(100)));
      return true;
  }
  return false;
}

Response ResponseGenerator::invalid(const Response& valid_response) {
  if (!validator_.validate(valid_response).ok()) {
    throw Error("synthetic.failed", "response generator: invalid() needs a valid response");
  }
  constexpr int defects = 6;
  auto first = static_cast<int>(below(defects));
  for (int i = 0; i < defects; ++i) {
    auto defect = static_cast<Defect>((first + i) % defects);
    Response r = valid_response;
    // try_defect reads the relevance of the valid response: validate it again,
    // since an earlier attempt may have validated a modified copy.
    validator_.validate(valid_response);
    if (!try_defect(r, defect)) continue;
    if (!validator_.validate(r).ok()) return r;
  }
  throw Error("synthetic.failed",
              "response generator: could not make an invalid response for " + q_.id());
}

std::vector<Response> generate_valid_responses(const Questionnaire& q, std::size_t count,
                                               std::uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  ResponseGenerator generator(q, options);
  std::vector<Response> responses;
  responses.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    responses.push_back(generator.valid());
    responses.back().submission_id = "bench-" + std::to_string(seed) + "-" + std::to_string(i);
  }
  return responses;
}

MixedResponses generate_mixed_responses(const Questionnaire& q, std::size_t count,
                                        double invalid_share, std::uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  ResponseGenerator generator(q, options);
  MixedResponses mixed;
  mixed.responses.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    mixed.responses.push_back(generator.valid());
    mixed.responses.back().submission_id =
        "bench-" + std::to_string(seed) + "-" + std::to_string(i);
  }
  // Exactly round(count * share) invalid responses, at random positions.
  auto invalid = static_cast<std::size_t>(
      std::llround(static_cast<double>(count) * std::clamp(invalid_share, 0.0, 1.0)));
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  mixed.invalid_at.assign(count, false);
  for (std::size_t i = 0; i < invalid; ++i) {
    std::swap(order[i], order[i + generator.below(count - i)]);
    auto& r = mixed.responses[order[i]];
    r = generator.invalid(r);
    mixed.invalid_at[order[i]] = true;
  }
  return mixed;
}

}  // namespace sipas::questionnaires
