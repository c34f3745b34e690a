#pragma once
// 1-bit observations (header-only; the logistic and probit losses each
// compile their own copy): the domain check both likelihoods share.

#include <string>

#include <fmt/format.h>
#include <ncvx/types.hpp>

namespace ncvx::signs {

/// "" when every y_i is +1 or -1; else a sentence naming the first other
/// value, the loss, and the fix (`hint`: how to make sign data).
inline std::string refuse_unless_signs(ConstVectorView observations, const char* loss, const char* hint) {
  for (Index i = 0; i < observations.size(); ++i)
    if (observations(i) != 1.0 && observations(i) != -1.0)
      return fmt::format("the {} loss fits 1-bit observations y = +-1 and y_{} = {:.6g}; {}", loss, i + 1,
                         observations(i), hint);
  return {};
}

}  // namespace ncvx::signs
