#include "survey_server/page_messages.hpp"

namespace sipas::survey_server {

std::string closed_message(std::string_view language) {
  return language == "vi" ? "Cuộc khảo sát này không nhận phiếu trả lời vào lúc này. Xin cảm ơn "
                            "ông/bà đã quan tâm."
                          : "This survey is not taking answers at the moment. Thank you for your "
                            "interest.";
}

std::string invalid_token_message(std::string_view language) {
  return language == "vi" ? "Đường dẫn mời không hợp lệ. Xin vui lòng kiểm tra lại đường dẫn "
                            "trong thư mời."
                          : "This invitation link is not valid. Please check the link in your "
                            "invitation.";
}

std::string answered_message(std::string_view language) {
  return language == "vi" ? "Phiếu trả lời cho thư mời này đã được ghi nhận trước đó. Mỗi thư mời "
                            "chỉ được trả lời một lần."
                          : "Answers for this invitation were already received. Each invitation "
                            "can be answered once.";
}

std::string invitation_required_title(std::string_view language) {
  return language == "vi" ? "Chỉ dành cho người được mời" : "For invited respondents only";
}

std::string invitation_required_message(std::string_view language) {
  return language == "vi" ? "Cuộc khảo sát này chỉ dành cho những người được mời. Xin vui lòng mở "
                            "đường dẫn trong thư mời của ông/bà."
                          : "This survey is for invited respondents only. Please open the link "
                            "in your invitation.";
}

std::string store_unavailable_message(std::string_view language) {
  return language == "vi" ? "Máy chủ tạm thời không lưu được phiếu trả lời: câu trả lời của ông/bà "
                            "chưa được ghi nhận. Xin vui lòng thử lại sau."
                          : "The server cannot store answers at the moment: your answers have not "
                            "been recorded. Please try again later.";
}

std::string public_page_message(std::string_view code, int status, std::string_view language,
                                std::string_view detail) {
  const bool vi = language == "vi";
  if (code == "request.rate_limited") {
    return vi ? "Có quá nhiều yêu cầu từ địa chỉ này. Xin vui lòng chờ một phút rồi thử lại."
              : "Too many requests from this address. Please wait a minute and try again.";
  }
  if (code == "request.cross_site") {
    return vi ? "Phiếu được gửi từ một trang web khác nên không được chấp nhận. Xin vui lòng mở "
                "lại đường dẫn khảo sát và gửi phiếu từ đó."
              : "The form was sent from another website and was refused. Please open the survey "
                "link again and send the form from there.";
  }
  if (code == "survey.not_found" || code == "request.not_found" || status == 404) {
    return vi ? "Không tìm thấy trang hoặc cuộc khảo sát này. Xin vui lòng kiểm tra lại đường dẫn."
              : "This page or survey was not found. Please check the link.";
  }
  if (code == "invitation.invalid_token" || code == "invitation.inactive") {
    return invalid_token_message(language);
  }
  if (detail.find("UTF-8") != std::string_view::npos) {
    return vi ? "Phiếu gửi lên có ký tự không hợp lệ (không phải văn bản UTF-8). Xin vui lòng mở "
                "lại đường dẫn khảo sát và thử lại."
              : "The form that was sent has characters that are not valid text (not UTF-8). "
                "Please open the survey link again and try again.";
  }
  if (status == 400 || status == 413 || status == 415 || status == 422) {
    return vi ? "Phiếu gửi lên không đọc được. Xin vui lòng mở lại đường dẫn khảo sát và thử lại."
              : "The form that was sent could not be read. Please open the survey link again and "
                "try again.";
  }
  if (status == 401 || status == 403) {
    return vi ? "Ông/bà không có quyền truy cập trang này."
              : "You do not have access to this page.";
  }
  if (status == 409 || status == 410) return closed_message(language);
  return vi ? "Đã có lỗi ở máy chủ. Xin vui lòng thử lại sau."
            : "Something went wrong on the server. Please try again later.";
}

}  // namespace sipas::survey_server
