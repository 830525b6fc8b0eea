// The words of the sample's design record in the methods, per language
// (report_words.hpp, SamplingWords).

#include "reports/report_words.hpp"

namespace sipas::reports {
namespace {

constexpr SamplingWords vietnamese{
    .sample_selection = "Chọn mẫu",
    .frame = "Khung chọn mẫu",
    .frame_text = "{1}, {2} dòng",
    .strata = "Phân tầng",
    .strata_text = "{2} tầng theo {1}; tổng thể {3} dòng của khung",
    .no_strata = "Không phân tầng; tổng thể {1} dòng của khung",
    .selection = "Cách chọn",

    .srs = "chọn ngẫu nhiên đơn giản không hoàn lại",
    .systematic = "chọn hệ thống",
    .pps = "chọn với xác suất tỷ lệ với quy mô, không hoàn lại",
    .pps_systematic = "chọn hệ thống với xác suất tỷ lệ với quy mô",
    .within_strata = "{1} trong từng tầng",
    .sorted_by = "theo thứ tự của {1}",
    .size_by = "quy mô: {1}",
    .size_rows = "số dòng của khung",
    .sampford = "phương pháp Sampford",
    .max_entropy = "thiết kế entropy cực đại",
    .pps_mixed = "phương pháp Sampford ở {1} {2}; thiết kế entropy cực đại ở {3} {2} còn lại",
    .pps_rule = "Chọn thuật toán πps",

    .alloc_proportional = "phân bổ tỷ lệ với quy mô tầng, tổng {1}",
    .alloc_equal = "phân bổ đều cho các tầng, tổng {1}",
    .alloc_neyman = "phân bổ Neyman, tổng {1}",
    .alloc_power = "phân bổ lũy thừa (Bankier, q = {2}), tổng {1}",
    .alloc_optimal = "phân bổ tối ưu theo chi phí, tổng {1}",
    .alloc_given = "cỡ mẫu từng tầng cho trong tệp {1}, tổng {2}",
    .per_stratum = "{1} mỗi tầng",
    .reserves_per_stratum = "dự phòng: {1} mỗi tầng",
    .no_reserves = "không có dự phòng",

    .stage_item = "Giai đoạn {1}: {2}",
    .per_unit = "{1} mỗi {2}",
    .reserves_per_unit = "dự phòng: {1} mỗi {2}",
    .certain = "chọn chắc chắn: {1} ({2} đơn vị)",
    .or_word = " hoặc ",
    .people = {"người", "người"},
    .province = {"tỉnh/thành phố", "tỉnh/thành phố"},
    .district = {"quận/huyện", "quận/huyện"},
    .commune = {"xã/phường", "xã/phường"},
    .village = {"thôn/tổ dân phố", "thôn/tổ dân phố"},
    .strata_noun = {"tầng", "tầng"},

    .sample_size = "Cỡ mẫu đã chọn",
    .sample_text = "{1} mẫu chính, {2} dự phòng",
    .seed = "Hạt giống ngẫu nhiên (seed)",
    .seed_given = "{1} (cho trước bằng --seed)",
    .seed_drawn = "{1} (lấy từ hệ điều hành và ghi lại)",
    .generator = "Bộ sinh số ngẫu nhiên",
    .command = "Lệnh chọn mẫu",

    .population = "Tổng thể (dòng)",
    .main = "Mẫu chính",
    .reserves = "Dự phòng",
    .stage_units = "Số {1} được chọn / tổng số",
    .strata_more = "Bảng không hiện {1} tầng còn lại; tổng thể của mỗi tầng từ {2} đến {3} dòng.",
};

constexpr SamplingWords english{
    .sample_selection = "Sample selection",
    .frame = "Sampling frame",
    .frame_text = "{1}, {2} rows",
    .strata = "Stratification",
    .strata_text = "{2} strata by {1}; {3} frame rows in all",
    .no_strata = "None; {1} frame rows",
    .selection = "Selection",

    .srs = "simple random sampling without replacement",
    .systematic = "systematic sampling",
    .pps = "probability proportional to size, without replacement",
    .pps_systematic = "systematic probability-proportional-to-size sampling",
    .within_strata = "{1} within each stratum",
    .sorted_by = "in the order of {1}",
    .size_by = "size: {1}",
    .size_rows = "the number of frame rows",
    .sampford = "Sampford's method",
    .max_entropy = "the maximum-entropy design",
    .pps_mixed = "Sampford's method in {1} {2}; the maximum-entropy design in the other {3}",
    .pps_rule = "Choice of the πps algorithm",

    .alloc_proportional = "allocation proportional to the strata's sizes, {1} in all",
    .alloc_equal = "equal allocation, {1} in all",
    .alloc_neyman = "Neyman allocation, {1} in all",
    .alloc_power = "power allocation (Bankier, q = {2}), {1} in all",
    .alloc_optimal = "optimal allocation with costs, {1} in all",
    .alloc_given = "sizes per stratum given in {1}, {2} in all",
    .per_stratum = "{1} per stratum",
    .reserves_per_stratum = "reserves: {1} per stratum",
    .no_reserves = "no reserves",

    .stage_item = "Stage {1}: {2}",
    .per_unit = "{1} per {2}",
    .reserves_per_unit = "reserves: {1} per {2}",
    .certain = "certain: {1} ({2} taken)",
    .or_word = " or ",
    .people = {"person", "people"},
    .province = {"province", "provinces"},
    .district = {"district", "districts"},
    .commune = {"commune", "communes"},
    .village = {"village", "villages"},
    .strata_noun = {"stratum", "strata"},

    .sample_size = "Sample drawn",
    .sample_text = "{1} main, {2} reserves",
    .seed = "Seed",
    .seed_given = "{1} (given with --seed)",
    .seed_drawn = "{1} (drawn from the operating system and recorded)",
    .generator = "Random generator",
    .command = "Sampling command",

    .population = "Population (rows)",
    .main = "Main sample",
    .reserves = "Reserves",
    .stage_units = "Selected / all {1}",
    .strata_more = "{1} more strata are not shown; the strata hold from {2} to {3} rows each.",
};

}  // namespace

const SamplingWords& sampling_words(Language language) {
  return language == Language::Vi ? vietnamese : english;
}

}  // namespace sipas::reports
