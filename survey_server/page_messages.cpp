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

}  // namespace sipas::survey_server
