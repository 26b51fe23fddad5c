#pragma once
// getOrder's OrderModel for one simulated order, with RMS's wire spelling: UpperCamel lists
// and models, lowerCamel scalars, `+0900` datetimes (or `+09:00` in that mode), -9999 for
// money that is not fixed yet, null for what has not happened. Versions 8 to 10 (the contract)
// no longer send `goodsTax` and always send socialGiftFlag, deliveryCertPrgFlag,
// oneDayOperationFlag, dropOffFlag and SenderModel.isolatedIslandFlag; older versions send
// goodsTax and none of those.

#include <nlohmann/json.hpp>

#include "order.hpp"

namespace musubi::sim::rakuten {

struct OrderJsonOptions {
    int version = 10;
    bool colon_offset = false; // datetimes end "+09:00" instead of "+0900"
};

nlohmann::json order_model_json(const Order& order, const Buyer& buyer,
                                const OrderJsonOptions& options = {});

} // namespace musubi::sim::rakuten
