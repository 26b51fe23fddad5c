#include "webhook_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "../core/spool.hpp"

namespace musubi::sim::line {

WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& signature, std::chrono::milliseconds timeout) {
    WebhookResult result;
    spool_webhook(body); // $MUSUBI_SPEC_SPOOL: every body for the spec check
    try {
        Poco::URI uri(url);
        if (uri.getScheme() != "http") {
            result.error = "webhook_url must be http:// (got " + url + ")";
            return result;
        }
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count() / 1000),
                                          static_cast<long>((timeout.count() % 1000) * 1000)));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json; charset=utf-8");
        request.set("x-line-signature", signature);
        request.set("User-Agent", "LineBotWebhook/2.0");
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        auto& in = session.receiveResponse(response);
        Poco::StreamCopier::copyToString(in, result.body);
        result.status = static_cast<int>(response.getStatus());
    } catch (const Poco::Exception& error) {
        result.error = error.displayText();
    } catch (const std::exception& error) {
        result.error = error.what();
    }
    return result;
}

} // namespace musubi::sim::line
