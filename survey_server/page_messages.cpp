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

}  // namespace sipas::survey_server
