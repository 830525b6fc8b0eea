#include "reports/report_words.hpp"

namespace sipas::reports {
namespace {

constexpr ReportWords vietnamese{
    .lang = "vi",
    .default_title = "Báo cáo kết quả đo lường sự hài lòng",
    .generated_by = "Báo cáo do sipas tạo từ các tệp ghi ở phần Phương pháp.",
    .contents = "Nội dung",
    .show_numbers = "Xem bảng số liệu",
    .missing_note = "Dấu – : không ước lượng được (không có câu trả lời hợp lệ).",

    .sec_headline = "Kết quả chung",
    .overall_index = "Chỉ số hài lòng chung",
    .ci_short = "KTC {1}%",
    .ci_long = "Khoảng tin cậy {1}%",
    .responses_n = "{1} phiếu trả lời",
    .weighted_n = "Cỡ mẫu có trọng số",
    .province = "Toàn tỉnh",
    .headline_note =
        "Chỉ số là tỷ lệ phần trăm có trọng số; khoảng tin cậy tính theo thiết kế mẫu "
        "(phân tầng, cụm, trọng số).",

    .sec_elements = "Chỉ số theo yếu tố",
    .element = "Yếu tố",
    .index_percent = "Chỉ số (%)",
    .se = "Sai số chuẩn",
    .n = "Số phiếu",
    .elements_chart = "Chỉ số hài lòng theo yếu tố, toàn tỉnh, với khoảng tin cậy {1}%",
    .elements_note =
        "Thanh ngang: chỉ số của yếu tố; đoạn thẳng: khoảng tin cậy {1}%; "
        "đường nét đứt: chỉ số hài lòng chung.",

    .sec_ranking = "Xếp hạng đơn vị",
    .unit = "Đơn vị",
    .rank = "Hạng",
    .ranking_chart =
        "Chỉ số hài lòng chung của từng đơn vị theo {1}, xếp từ cao xuống thấp, "
        "với khoảng tin cậy {2}%",
    .ranking_note =
        "Thanh ngang: chỉ số hài lòng chung của đơn vị; đoạn thẳng: khoảng tin cậy "
        "{1}%; đường nét đứt: toàn tỉnh. Hai đơn vị có khoảng tin cậy chồng lên nhau "
        "có thể không khác nhau thực sự.",
    .rank_note =
        "Hạng xếp theo chỉ số làm tròn đến {1} chữ số thập phân; các đơn vị bằng nhau "
        "cùng hạng.",

    .sec_profiles = "Chỉ số theo yếu tố của từng đơn vị",
    .profile_chart = "{1}: chỉ số theo yếu tố so với toàn tỉnh, với khoảng tin cậy {2}%",
    .profile_note =
        "Chấm tròn: chỉ số của đơn vị, đoạn thẳng: khoảng tin cậy {1}%; vạch dọc màu "
        "cam: toàn tỉnh. Số bên phải: đơn vị / toàn tỉnh.",
    .legend_unit = "Đơn vị (KTC {1}%)",
    .legend_province = "Toàn tỉnh",

    .sec_rates = "Tỷ lệ phản hồi theo tầng",
    .stratum = "Tầng",
    .invited = "Đã mời",
    .opened = "Đã mở phiếu",
    .responded = "Đã trả lời",
    .response_rate = "Tỷ lệ trả lời",
    .open_rate = "Tỷ lệ mở phiếu",
    .reserves_waiting = "Dự phòng chưa dùng",
    .open_link_responses = "Phiếu qua đường dẫn chung (không tính vào tỷ lệ)",
    .total = "Tổng",
    .rates_chart = "Tỷ lệ trả lời theo tầng",
    .rates_note =
        "Thanh đậm: tỷ lệ trả lời (số phiếu hoàn thành / số người được mời); thanh "
        "nhạt: tỷ lệ mở phiếu; đường nét đứt: tỷ lệ trả lời chung.",

    .sec_answers = "Phân bố câu trả lời",
    .answers_chart = "Phân bố câu trả lời các câu hỏi của yếu tố {1}",
    .answers_note =
        "Tỷ lệ (%) có trọng số của từng phương án trong số người trả lời câu hỏi, "
        "toàn tỉnh.",
    .other_items = "Các câu hỏi khác",

    .sec_par = "Chỉ số cải cách hành chính (Chỉ số CCHC)",
    .points = "Điểm",
    .max_points = "Điểm tối đa",
    .par_index = "Chỉ số",
    .group = "Nhóm",
    .notes = "Ghi chú",
    .rescaled = "quy đổi theo điểm tối đa còn lại",
    .not_ranked = "không xếp hạng",
    .survey_missing = "thiếu điểm điều tra: {1}",
    .thresholds = "Ngưỡng xếp nhóm",
    .threshold_item = "từ {2}",
    .par_areas = "Điểm theo lĩnh vực",
    .par_scheme = "Bộ tiêu chí",
    .survey_max = "Điểm điều tra xã hội học tối đa",

    .sec_methods = "Phương pháp",
    .design = "Thiết kế mẫu",
    .strata = "Phân tầng theo",
    .psu = "Đơn vị mẫu theo giai đoạn (cụm)",
    .weights = "Trọng số thiết kế",
    .fpc = "Hiệu chỉnh tổng thể hữu hạn",
    .lonely_psu = "Tầng chỉ có một đơn vị mẫu cấp 1",
    .none = "không",
    .equal_weights = "không có cột trọng số (trọng số bằng nhau)",
    .calibration = "Hiệu chỉnh trọng số",
    .no_calibration = "không hiệu chỉnh",
    .cal_poststratify = "hậu phân tầng (post-stratification)",
    .cal_raking = "lặp tỷ lệ theo biên (raking)",
    .cal_linear = "hiệu chỉnh tuyến tính (GREG)",
    .iterations = "Số vòng lặp",
    .margins = "Tổng biên của tổng thể",
    .weight_range = "Trọng số sau hiệu chỉnh (nhỏ nhất – lớn nhất)",
    .g_range = "Hệ số hiệu chỉnh g (nhỏ nhất – lớn nhất)",
    .g_bounds = "Giới hạn của g",
    .max_margin_error = "Sai lệch tương đối lớn nhất so với tổng biên",
    .variance = "Ước lượng phương sai",
    .variance_linearization =
        "tuyến tính hóa Taylor (xấp xỉ cụm cuối cùng, như hàm svyrecvar "
        "của gói survey trong R)",
    .variance_replicate = "trọng số lặp lại ({1}, {2} lần lặp)",
    .mse = "tính quanh ước lượng toàn mẫu (MSE)",
    .df = "Bậc tự do",
    .sample_sizes = "Cỡ mẫu",
    .rows = "Số phiếu trong dữ liệu",
    .weight_sum = "Tổng trọng số",
    .overall_n = "Số phiếu dùng cho chỉ số chung",
    .ci_methods = "Khoảng tin cậy",
    .ci_level = "mức tin cậy {1}%",
    .ci_wald = "Wald, phân phối t với bậc tự do của thiết kế",
    .ci_logit = "logit",
    .ci_xlogit = "logit trên thang tỷ lệ (xlogit)",
    .ci_beta = "Korn–Graubard (phân phối beta)",
    .ci_woodruff = "Woodruff (phân vị)",
    .index_definition =
        "Chỉ số của một câu hỏi = 100 × (tổng trọng số người trả lời hài lòng) / (tổng trọng số "
        "người trả lời hợp lệ); câu trả lời “không ý kiến” và câu bỏ trống không tính vào mẫu "
        "số. Chỉ số yếu tố và chỉ số chung tính theo quy tắc tính điểm của phiếu khảo sát; sai "
        "số chuẩn của chỉ số tổng hợp tính theo thiết kế mẫu, có tính đến tương quan giữa các "
        "câu hỏi.",
    .caution_mark = "(E)",
    .suppressed_mark = "(F)",
    .publishing_rule = "Quy tắc công bố",
    .rule_source = "Nguồn của quy tắc",
    .rule_thresholds =
        "không công bố khi dưới {1} người trả lời hoặc hệ số biến thiên trên {3}%; cần thận trọng "
        "khi hệ số biến thiên trên {2}%",
    .rule_counts = "{1} ước lượng đạt, {2} cần thận trọng (E), {3} không công bố (F)",
    .rule_example =
        "Quy tắc này là ví dụ để tỉnh áp dụng hoặc sửa đổi, không phải văn bản chính thức.",
    .flag_legend =
        "(E): cần thận trọng khi sử dụng; (F): không đủ tin cậy để công bố, không vẽ trên biểu đồ.",
    .inputs = "Tệp đầu vào",
    .file = "Tệp",
    .role_data = "Dữ liệu",
    .role_questionnaire = "Phiếu khảo sát",
    .role_scheme = "Bộ tiêu chí điểm CCHC",
    .command = "Lệnh phân tích",

    .aapor_rates = "Tỷ lệ phản hồi theo AAPOR, theo tầng",
    .aapor_respondents = "Trả lời (I)",
    .aapor_nonrespondents = "Không trả lời (N)",
    .aapor_ineligible = "Không đủ điều kiện (X)",
    .aapor_unknown = "Không rõ có đủ điều kiện (U)",
    .aapor_note =
        "RR1 = I/(I + N + U) và RR3 = I/(I + N + e·U), trong đó I là số người trả lời, N số người "
        "đủ điều kiện nhưng không trả lời (từ chối, không liên lạc được, lý do khác), X số trường "
        "hợp không đủ điều kiện, U số trường hợp không rõ có đủ điều kiện (đếm không trọng số, "
        "trên mẫu chính và mẫu dự phòng đã dùng), và e = (I + N)/(I + N + X) là tỷ lệ đủ điều kiện "
        "trong các trường hợp đã biết: RR1 coi mọi trường hợp không rõ là đủ điều kiện, RR3 chỉ "
        "tính phần e của chúng (AAPOR, Standard Definitions, ấn bản thứ 10, 2023).",
    .weighting_steps = "Các bước tính trọng số",
    .step = "Bước",
    .step_description = "Nội dung",
    .weight_min = "Nhỏ nhất",
    .weight_max = "Lớn nhất",
    .step_design = "Trọng số thiết kế 1/π",
    .step_eligible =
        "Loại trường hợp không đủ điều kiện khỏi cơ sở tính; trọng số của trường hợp không rõ có "
        "đủ điều kiện được chia theo tỷ lệ đã biết trong lớp",
    .step_nonresponse = "Điều chỉnh không trả lời theo lớp trọng số: × (R + N)/R",
    .step_calibrated = "Hiệu chỉnh theo tổng biên của tổng thể",
    .steps_note =
        "Tính trên những người trả lời. CV: hệ số biến thiên của trọng số (chia cho n); 1 + CV²: "
        "hiệu ứng thiết kế do trọng số theo Kish, hệ số mà riêng việc trọng số không bằng nhau làm "
        "tăng phương sai của một giá trị trung bình (Kish 1965, Survey Sampling, chương 11).",
    .weighting_classes = "Lớp trọng số",
    .classes_on = "{1} lớp, theo {2}",
    .class_rule = "Quy tắc gộp lớp",
    .class_rule_text =
        "mỗi lớp cần ít nhất {1} người trả lời và hệ số điều chỉnh (R + N)/R không quá {2}",
    .class_rule_no_factor = "mỗi lớp cần ít nhất {1} người trả lời",
    .classes_collapsed = "Các lớp đã gộp",
    .collapse_item = "{1} gộp vào {2}: {3}",
    .weights_calibration = "Hiệu chỉnh khi tính trọng số",
    .weights_replicates = "Trọng số lặp lại",
    .replicates_count = "{1}, {2} lần lặp",
    .nonresponse_in_variance = "Điều chỉnh không trả lời trong phương sai",
    .variance_nonresponse =
        "Phương sai coi bước điều chỉnh không trả lời là một bước hiệu chỉnh: hậu phân tầng những "
        "người trả lời theo các lớp trọng số về tổng số người đủ điều kiện ước lượng của từng "
        "lớp{1} (Särndal và Lundström 2005, Estimation in Surveys with Nonresponse, chương 7–8).",
    .then_calibration = ", sau đó hiệu chỉnh theo tổng biên",
    .variance_replicates_adjusted =
        "Mỗi bộ trọng số lặp lại đã được điều chỉnh lại như toàn mẫu (điều kiện, lớp trọng "
        "số{1}), nên sai số chuẩn có tính đến các bước điều chỉnh (Valliant, Dever và Kreuter "
        "2013, chương 15).",
    .replicate_calibration = ", hiệu chỉnh theo tổng biên",
    .weights_file_detail = "Tệp trọng số {1}, cột {2}, {3} lớp.",

    .scales = "Độ tin cậy của thang đo",
    .scale_item = "Thang đo / câu hỏi",
    .alpha = "Cronbach's alpha",
    .std_alpha = "Alpha chuẩn hóa",
    .alpha_weighted = "Alpha có trọng số",
    .item_rest = "Tương quan biến – tổng hiệu chỉnh",
    .alpha_if_dropped = "Alpha nếu loại câu hỏi",
    .dont_know_percent = "Không biết (%)",
    .missing_percent = "Bỏ trống (%)",
    .scales_note =
        "Cronbach's alpha tính như hàm alpha của gói psych trong R: hiệp phương sai của mỗi cặp "
        "câu hỏi tính trên các phiếu trả lời cả hai câu; câu trả lời “không biết” và câu bỏ trống "
        "được coi là thiếu. Alpha có trọng số tính từ ma trận hiệp phương sai theo trọng số thiết "
        "kế. Tỷ lệ “không biết” và bỏ trống tính trên tất cả các phiếu, không trọng số. Dấu –: "
        "không xác định (thang đo có ít hơn hai câu hỏi có câu trả lời khác nhau; ở thang đo hai "
        "câu hỏi, alpha khi loại một câu).",
};

constexpr ReportWords english{
    .lang = "en",
    .default_title = "Satisfaction survey report",
    .generated_by = "Report generated by sipas from the files listed under Methods.",
    .contents = "Contents",
    .show_numbers = "Show the numbers",
    .missing_note = "– : not estimable (no valid answer).",

    .sec_headline = "Headline",
    .overall_index = "Overall satisfaction index",
    .ci_short = "{1}% CI",
    .ci_long = "{1}% confidence interval",
    .responses_n = "{1} responses",
    .weighted_n = "Weighted sample size",
    .province = "Province",
    .headline_note =
        "Indices are weighted percentages; confidence intervals follow the sample "
        "design (strata, clusters, weights).",

    .sec_elements = "Indices by element",
    .element = "Element",
    .index_percent = "Index (%)",
    .se = "Standard error",
    .n = "Responses",
    .elements_chart = "Satisfaction index by element, province, with {1}% confidence intervals",
    .elements_note =
        "Bars: the element's index; lines: {1}% confidence interval; dashed line: "
        "the overall index.",

    .sec_ranking = "Units ranked",
    .unit = "Unit",
    .rank = "Rank",
    .ranking_chart =
        "Overall satisfaction index of each unit by {1}, highest first, with {2}% "
        "confidence intervals",
    .ranking_note =
        "Bars: the unit's overall index; lines: {1}% confidence interval; dashed "
        "line: the province. Units whose intervals overlap may not truly differ.",
    .rank_note = "Ranks follow the index rounded to {1} decimals; equal units share a rank.",

    .sec_profiles = "Element profile of each unit",
    .profile_chart = "{1}: element indices against the province, with {2}% confidence intervals",
    .profile_note =
        "Dots: the unit's index, lines: its {1}% confidence interval; orange ticks: "
        "the province. Numbers on the right: unit / province.",
    .legend_unit = "Unit ({1}% CI)",
    .legend_province = "Province",

    .sec_rates = "Response rates by stratum",
    .stratum = "Stratum",
    .invited = "Invited",
    .opened = "Opened",
    .responded = "Responded",
    .response_rate = "Response rate",
    .open_rate = "Open rate",
    .reserves_waiting = "Reserves unused",
    .open_link_responses = "Responses through the open link (not in the rates)",
    .total = "Total",
    .rates_chart = "Response rate by stratum",
    .rates_note =
        "Dark bars: response rate (complete responses / people invited); light bars: "
        "open rate; dashed line: the overall response rate.",

    .sec_answers = "Answer distributions",
    .answers_chart = "Answers to the items of element {1}",
    .answers_note =
        "Weighted share (%) of each answer among those who answered the item, "
        "province.",
    .other_items = "Other items",

    .sec_par = "Public Administration Reform index (PAR index)",
    .points = "Points",
    .max_points = "Maximum",
    .par_index = "Index",
    .group = "Group",
    .notes = "Notes",
    .rescaled = "rescaled to the remaining maximum",
    .not_ranked = "not ranked",
    .survey_missing = "survey points missing: {1}",
    .thresholds = "Group thresholds",
    .threshold_item = "from {2}",
    .par_areas = "Points by area",
    .par_scheme = "Scheme",
    .survey_max = "Maximum survey points",

    .sec_methods = "Methods",
    .design = "Sample design",
    .strata = "Strata",
    .psu = "Sampling units by stage (clusters)",
    .weights = "Design weights",
    .fpc = "Finite population correction",
    .lonely_psu = "Strata with a single primary unit",
    .none = "none",
    .equal_weights = "no weight column (equal weights)",
    .calibration = "Calibration",
    .no_calibration = "none",
    .cal_poststratify = "post-stratification",
    .cal_raking = "raking",
    .cal_linear = "linear calibration (GREG)",
    .iterations = "Iterations",
    .margins = "Population margins",
    .weight_range = "Calibrated weights (smallest – largest)",
    .g_range = "Calibration factors g (smallest – largest)",
    .g_bounds = "Bounds on g",
    .max_margin_error = "Largest relative difference from the margins",
    .variance = "Variance estimation",
    .variance_linearization = "Taylor linearization (ultimate cluster, as R's survey::svyrecvar)",
    .variance_replicate = "replicate weights ({1}, {2} replicates)",
    .mse = "centred on the full-sample estimate (MSE)",
    .df = "Degrees of freedom",
    .sample_sizes = "Sample sizes",
    .rows = "Rows of data",
    .weight_sum = "Sum of weights",
    .overall_n = "Responses used for the overall index",
    .ci_methods = "Confidence intervals",
    .ci_level = "{1}% level",
    .ci_wald = "Wald, t with the design's degrees of freedom",
    .ci_logit = "logit",
    .ci_xlogit = "logit on the proportion scale (xlogit)",
    .ci_beta = "Korn–Graubard (beta)",
    .ci_woodruff = "Woodruff (quantiles)",
    .index_definition =
        "An item's index = 100 × (weight of respondents satisfied) / (weight of valid answers); "
        "“no opinion” answers and blanks leave the denominator. Element and overall indices "
        "follow the questionnaire's scoring rules; the standard errors of composite indices "
        "follow the sample design and account for the correlation between items.",
    .caution_mark = "(E)",
    .suppressed_mark = "(F)",
    .publishing_rule = "Publishing rule",
    .rule_source = "Source of the rule",
    .rule_thresholds =
        "suppressed below {1} respondents or above a coefficient of variation of {3}%; use with "
        "caution above {2}%",
    .rule_counts = "{1} estimates ok, {2} to use with caution (E), {3} suppressed (F)",
    .rule_example =
        "This rule is an example for a province to adopt or change, not an official text.",
    .flag_legend = "(E): use with caution; (F): too unreliable to publish, left out of the charts.",
    .inputs = "Input files",
    .file = "File",
    .role_data = "Data",
    .role_questionnaire = "Questionnaire",
    .role_scheme = "PAR survey scheme",
    .command = "Analysis command",

    .aapor_rates = "AAPOR response rates by stratum",
    .aapor_respondents = "Respondents (I)",
    .aapor_nonrespondents = "Nonrespondents (N)",
    .aapor_ineligible = "Ineligible (X)",
    .aapor_unknown = "Unknown eligibility (U)",
    .aapor_note =
        "RR1 = I/(I + N + U) and RR3 = I/(I + N + e·U), with I respondents, N eligible "
        "nonrespondents (refusals, non-contacts, others), X ineligible cases and U cases of "
        "unknown eligibility (unweighted counts of the main units and the reserves used), and e = "
        "(I + N)/(I + N + X) the eligible share among cases of known eligibility: RR1 counts every "
        "case of unknown eligibility as eligible, RR3 only the share e of them (AAPOR, Standard "
        "Definitions, 10th edition, 2023).",
    .weighting_steps = "Weighting steps",
    .step = "Step",
    .step_description = "What it does",
    .weight_min = "Smallest",
    .weight_max = "Largest",
    .step_design = "Design weight 1/π",
    .step_eligible =
        "Ineligible cases out of the base; the weight of cases of unknown eligibility shared in "
        "the class's known proportions",
    .step_nonresponse = "Weighting-class nonresponse adjustment: × (R + N)/R",
    .step_calibrated = "Calibration to the population margins",
    .steps_note =
        "Over the respondents. CV: coefficient of variation of the weights (divisor n); 1 + CV²: "
        "Kish's design effect of weighting, the factor by which unequal weights alone increase "
        "the variance of a mean (Kish 1965, Survey Sampling, ch. 11).",
    .weighting_classes = "Weighting classes",
    .classes_on = "{1} classes, on {2}",
    .class_rule = "Collapsing rule",
    .class_rule_text =
        "each class needs at least {1} respondents and an adjustment factor (R + N)/R of at most "
        "{2}",
    .class_rule_no_factor = "each class needs at least {1} respondents",
    .classes_collapsed = "Classes merged",
    .collapse_item = "{1} into {2}: {3}",
    .weights_calibration = "Calibration of the weights",
    .weights_replicates = "Replicate weights",
    .replicates_count = "{1}, {2} replicates",
    .nonresponse_in_variance = "Nonresponse adjustment in the variance",
    .variance_nonresponse =
        "The variance treats the nonresponse adjustment as a calibration step: post-"
        "stratification of the respondents on the weighting classes to the classes' estimated "
        "eligible totals{1} (Särndal and Lundström 2005, Estimation in Surveys with Nonresponse, "
        "ch. 7–8).",
    .then_calibration = ", then the calibration to the margins",
    .variance_replicates_adjusted =
        "Every replicate was adjusted again as the full sample was (eligibility, weighting "
        "classes{1}), so the standard errors include the adjustments (Valliant, Dever and "
        "Kreuter 2013, ch. 15).",
    .replicate_calibration = ", calibration",
    .weights_file_detail = "Weights file {1}, column {2}, {3} classes.",

    .scales = "Scale quality",
    .scale_item = "Scale / item",
    .alpha = "Cronbach's alpha",
    .std_alpha = "Standardized alpha",
    .alpha_weighted = "Weighted alpha",
    .item_rest = "Item–rest correlation",
    .alpha_if_dropped = "Alpha if item dropped",
    .dont_know_percent = "Don't know (%)",
    .missing_percent = "Missing (%)",
    .scales_note =
        "Cronbach's alpha as R's psych::alpha computes it: the covariance of each pair of items "
        "over the responses that answer both; “don't know” answers and blanks count as missing. "
        "The weighted alpha comes from the covariance matrix weighted by the design weights. The "
        "shares of “don't know” and blanks are of all responses, unweighted. –: not defined "
        "(fewer than two items whose answers vary; in a scale of two items, the alpha without one "
        "of them).",
};

}  // namespace

const ReportWords& report_words(Language language) {
  return language == Language::Vi ? vietnamese : english;
}

std::string fill(std::string_view pattern, std::initializer_list<std::string> values) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}' &&
        pattern[i + 1] >= '1' && pattern[i + 1] <= '9') {
      const auto k = static_cast<std::size_t>(pattern[i + 1] - '1');
      if (k < values.size()) {
        out += *(values.begin() + k);
        i += 2;
        continue;
      }
    }
    out += pattern[i];
  }
  return out;
}

}  // namespace sipas::reports
