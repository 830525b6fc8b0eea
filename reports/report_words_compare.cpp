// The words of the comparisons and the small-area estimates, per language
// (report_words.hpp, CompareWords).

#include "reports/report_words.hpp"

namespace sipas::reports {
namespace {

constexpr CompareWords vietnamese{
    .sec_comparisons = "So sánh",
    .against_province = "So với toàn tỉnh",
    .in_pairs = "So sánh từng cặp đơn vị",
    .against_last_year = "So với năm trước",
    .estimate = "Ước lượng",
    .pair = "Cặp (a − b)",
    .difference = "Chênh lệch",
    .difference_pp = "Chênh lệch (điểm phần trăm)",
    .adjusted_p = "p hiệu chỉnh",
    .result = "Kết luận",
    .above = "cao hơn có ý nghĩa",
    .below = "thấp hơn có ý nghĩa",
    .up = "tăng có ý nghĩa",
    .down = "giảm có ý nghĩa",
    .what_compared = "Chỉ tiêu: {1} ({2}), theo {3}; toàn tỉnh: {4}.",
    .stat_mean = "giá trị trung bình",
    .stat_proportion = "tỷ lệ, %",
    .test_t =
        "Chênh lệch được kiểm định bằng kiểm định Wald hai phía theo phân phối t với {1} bậc tự do "
        "của thiết kế mẫu; phương sai của chênh lệch tính cả hiệp phương sai giữa hai ước lượng "
        "của cùng một mẫu; khoảng tin cậy {2}%.",
    .test_normal =
        "Chênh lệch được kiểm định bằng kiểm định Wald hai phía theo phân phối chuẩn; phương sai "
        "của chênh lệch tính cả hiệp phương sai giữa hai ước lượng của cùng một mẫu; khoảng tin "
        "cậy {2}%.",
    .adjust_holm =
        "Giá trị p được hiệu chỉnh cho {1} phép so sánh bằng phương pháp Holm (kiểm soát xác suất "
        "mắc ít nhất một sai lầm trong cả nhóm); khác biệt có ý nghĩa khi p hiệu chỉnh nhỏ hơn "
        "{2}.",
    .adjust_bh =
        "Giá trị p được hiệu chỉnh cho {1} phép so sánh bằng phương pháp Benjamini–Hochberg (kiểm "
        "soát tỷ lệ phát hiện sai); khác biệt có ý nghĩa khi p hiệu chỉnh nhỏ hơn {2}.",
    .adjust_none =
        "Giá trị p không được hiệu chỉnh cho {1} phép so sánh; khác biệt có ý nghĩa khi p nhỏ hơn "
        "{2}. Khi so sánh nhiều đơn vị, một số khác biệt có thể chỉ do ngẫu nhiên.",
    .this_year = "Năm nay",
    .last_year = "Năm trước",
    .change = "Thay đổi",
    .change_pp = "Thay đổi (điểm phần trăm)",
    .past = "Số liệu năm trước",
    .past_same = "cùng đơn vị",
    .past_mapped = "gộp từ các đơn vị cũ {1}, tính lại từ phiếu trả lời năm trước",
    .past_combined = "kết hợp ước lượng của các đơn vị cũ {1} ({2})",
    .weights_counts = "trọng số theo quy mô ước lượng",
    .weights_equal = "trọng số bằng nhau",
    .past_none = "không có số liệu so sánh được",
    .year_test =
        "Hai năm là hai mẫu độc lập: phương sai của thay đổi là tổng hai phương sai, kiểm định "
        "theo phân phối chuẩn; khoảng tin cậy {1}%.",
    .year_past_note =
        "Một đơn vị sau sáp nhập được so với chính địa bàn đó năm trước (theo bảng chuyển đổi đơn "
        "vị); đơn vị không có số liệu so sánh được thì không so với đơn vị trùng tên.",
    .sec_small_areas = "Ước lượng cho đơn vị nhỏ",
    .direct = "Ước lượng trực tiếp (± SE)",
    .eblup = "EBLUP (RMSE)",
    .gamma = "γ (trọng số của ước lượng trực tiếp)",
    .rank_interval = "Khoảng xếp hạng {1}%",
    .model_text =
        "Mô hình Fay–Herriot cấp đơn vị, σ²_v ước lượng bằng {1}: σ²_v = {2}; biến phụ trợ: {3}.",
    .reml = "REML (hợp lý cực đại có hạn chế)",
    .ml = "ML (hợp lý cực đại)",
    .intercept_only = "chỉ có hệ số chặn",
    .intercept = "hệ số chặn",
    .beta_item = "{1} (β = {2})",
    .eblup_note =
        "EBLUP là ước lượng dựa trên mô hình, được trình bày bên cạnh ước lượng trực tiếp chứ "
        "không thay thế nó: nó vay mượn thông tin từ các đơn vị khác qua biến phụ trợ và dựa vào "
        "ước lượng trực tiếp theo tỷ lệ γ (càng nhiều khi mẫu của đơn vị càng chính xác).",
    .overlap_note =
        "Thứ hạng theo EBLUP (1 là cao nhất). Hai đơn vị có khoảng xếp hạng chồng lên nhau thì "
        "không thể phân biệt được: không nên nói đơn vị này tốt hơn đơn vị kia.",
    .overlap_note_lower =
        "Thứ hạng theo EBLUP (1 là thấp nhất). Hai đơn vị có khoảng xếp hạng chồng lên nhau thì "
        "không thể phân biệt được: không nên nói đơn vị này tốt hơn đơn vị kia.",
    .methods_title = "So sánh và ước lượng cho đơn vị nhỏ",
    .m_comparisons = "Các phép so sánh",
    .m_comparisons_text = "{1} phép so sánh {2} theo {3}",
    .m_year = "So với năm trước",
    .m_year_text = "{1} đơn vị, {2} trong đó có số liệu so sánh được",
    .m_model = "Mô hình đơn vị nhỏ",
    .m_fit = "Độ phù hợp của mô hình",
    .m_fit_text = "σ²_v = {1}; β: {2}; log-hợp lý = {3}; AIC = {4}",
    .m_truncated = "σ²_v ước lượng bằng 0: mọi EBLUP trùng với ước lượng hồi quy.",
    .m_residuals = "Kiểm tra phần dư chuẩn hóa",
    .m_residuals_text =
        "trung bình {1}, độ lệch chuẩn {2}; {3} phần dư ngoài ±1,96 (kỳ vọng khoảng {4}); kiểm "
        "định Jarque–Bera p = {5}",
    .m_mse = "Sai số bình phương trung bình (MSE)",
    .mse_reml = "ước lượng Prasad–Rao (cho REML)",
    .mse_ml = "ước lượng Datta–Lahiri (cho ML)",
    .m_ranks = "Khoảng xếp hạng",
    .m_ranks_text = "bootstrap tham số của mô hình, B = {1} lần lặp, mức {2}% cho từng đơn vị",
    .no_ranks = "không tính",
    .m_sources = "Tài liệu tham khảo",
    .sources =
        "Fay và Herriot (1979); Rao và Molina (2015), Small Area Estimation; Holm (1979); "
        "Benjamini và Hochberg (1995).",
};

constexpr CompareWords english{
    .sec_comparisons = "Comparisons",
    .against_province = "Against the province",
    .in_pairs = "Units compared in pairs",
    .against_last_year = "Against last year",
    .estimate = "Estimate",
    .pair = "Pair (a − b)",
    .difference = "Difference",
    .difference_pp = "Difference (percentage points)",
    .adjusted_p = "Adjusted p",
    .result = "Result",
    .above = "significantly above",
    .below = "significantly below",
    .up = "significantly up",
    .down = "significantly down",
    .what_compared = "Measure: {1} ({2}), by {3}; the province: {4}.",
    .stat_mean = "mean",
    .stat_proportion = "proportion, %",
    .test_t =
        "Each difference is tested with a two-sided Wald test against the t distribution with the "
        "design's {1} degrees of freedom; the variance of the difference includes the covariance "
        "of the two estimates from the same sample; {2}% confidence intervals.",
    .test_normal =
        "Each difference is tested with a two-sided Wald test against the normal distribution; the "
        "variance of the difference includes the covariance of the two estimates from the same "
        "sample; {2}% confidence intervals.",
    .adjust_holm =
        "The p-values are adjusted for the {1} comparisons by Holm's method (which controls the "
        "chance of any false finding among them); a difference is significant when its adjusted p "
        "is below {2}.",
    .adjust_bh =
        "The p-values are adjusted for the {1} comparisons by the Benjamini–Hochberg method (which "
        "controls the false discovery rate); a difference is significant when its adjusted p is "
        "below {2}.",
    .adjust_none =
        "The p-values are not adjusted for the {1} comparisons; a difference is significant when "
        "its p is below {2}. With many units compared, some differences may be chance alone.",
    .this_year = "This year",
    .last_year = "Last year",
    .change = "Change",
    .change_pp = "Change (percentage points)",
    .past = "Last year's figure",
    .past_same = "the same unit",
    .past_mapped = "made of its former units {1}, from last year's answers",
    .past_combined = "combined from the estimates of its former units {1} ({2})",
    .weights_counts = "weighted by their estimated counts",
    .weights_equal = "equal weights",
    .past_none = "no comparable past",
    .year_test =
        "The two years are independent samples: the variance of the change is the sum of the two "
        "variances, tested against the normal distribution; {1}% confidence intervals.",
    .year_past_note =
        "A unit after a merger is compared with the same territory last year (through the unit "
        "map); a unit with no comparable past is never compared with a namesake.",
    .sec_small_areas = "Small-area estimates",
    .direct = "Direct estimate (± SE)",
    .eblup = "EBLUP (RMSE)",
    .gamma = "γ (weight of the direct estimate)",
    .rank_interval = "{1}% rank interval",
    .model_text =
        "Fay–Herriot area-level model, σ²_v estimated by {1}: σ²_v = {2}; covariates: {3}.",
    .reml = "REML (restricted maximum likelihood)",
    .ml = "ML (maximum likelihood)",
    .intercept_only = "the intercept only",
    .intercept = "intercept",
    .beta_item = "{1} (β = {2})",
    .eblup_note =
        "The EBLUP is a model-based estimate shown beside the direct estimate, never replacing it: "
        "it borrows strength from the other areas through the covariates and leans on the direct "
        "estimate by the share γ (more where the area's own sample is precise).",
    .overlap_note =
        "Ranks are of the EBLUPs (1 is the highest). Two units whose rank intervals overlap cannot "
        "be told apart: do not say that one did better than the other.",
    .overlap_note_lower =
        "Ranks are of the EBLUPs (1 is the lowest). Two units whose rank intervals overlap cannot "
        "be told apart: do not say that one did better than the other.",
    .methods_title = "Comparisons and small-area estimation",
    .m_comparisons = "Comparisons",
    .m_comparisons_text = "{1} comparisons of {2} by {3}",
    .m_year = "Year on year",
    .m_year_text = "{1} units, {2} of them with a comparable past",
    .m_model = "Small-area model",
    .m_fit = "Model fit",
    .m_fit_text = "σ²_v = {1}; β: {2}; log-likelihood = {3}; AIC = {4}",
    .m_truncated = "σ²_v is estimated at 0: every EBLUP is the regression estimate.",
    .m_residuals = "Standardized residuals",
    .m_residuals_text =
        "mean {1}, SD {2}; {3} beyond ±1.96 (about {4} expected); Jarque–Bera test p = {5}",
    .m_mse = "Mean squared error (MSE)",
    .mse_reml = "the Prasad–Rao estimator (for REML)",
    .mse_ml = "the Datta–Lahiri estimator (for ML)",
    .m_ranks = "Rank intervals",
    .m_ranks_text = "parametric bootstrap of the model, B = {1} replicates, {2}% for each area",
    .no_ranks = "not computed",
    .m_sources = "Sources",
    .sources =
        "Fay and Herriot (1979); Rao and Molina (2015), Small Area Estimation; Holm (1979); "
        "Benjamini and Hochberg (1995).",
};

}  // namespace

const CompareWords& compare_words(Language language) {
  return language == Language::Vi ? vietnamese : english;
}

}  // namespace sipas::reports
