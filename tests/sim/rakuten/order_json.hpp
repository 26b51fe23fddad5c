#pragma once
// getOrder's OrderModel (version 10) for one simulated order, with RMS's wire spelling:
// UpperCamel lists and models, lowerCamel scalars, `+0900` datetimes, -9999 for money that is
// not fixed yet, null for what has not happened.

#include <nlohmann/json.hpp>

#include "order.hpp"

namespace musubi::sim::rakuten {

nlohmann::json order_model_json(const Order& order, const Buyer& buyer);

} // namespace musubi::sim::rakuten
