#pragma once
// What a table says of a column over the seeds of a row (internal to the
// study): the median with its spread, as a paper's table reports it.
//
//   quartiles   median [q1, q3]        (the default; quantiles by linear interpolation)
//   range       median [min, max]
//   mean        mean ± sd              (sd with n - 1)
//
// and a success count with its 95 % Wilson score interval,
//
//   p = s/n,  z = 1.96,  (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).

#include <string>
#include <vector>

namespace ncvx::detail {

enum class TableStyle { quartiles, range, mean };

/// `quartiles`, `range` or `mean`; throws Error otherwise.
TableStyle table_style(const std::string& name);
/// The choices, for messages and parameter declarations.
const std::vector<std::string>& table_styles();

/// A column's cell: the values' median (NaN values left out; "-" when none)
/// in `format` ("{:.3e}") with its spread in `style`, in `spread_format`
/// ("{:.2e}"); the median alone when there is one value.
std::string spread_cell(std::vector<double> values, TableStyle style, const char* format = "{:.3e}",
                        const char* spread_format = "{:.2e}");

/// "3/5 [0.23, 0.88]": successes of trials and the 95 % Wilson interval; "-" for no trial.
std::string success_cell(int successes, int trials);

/// The legend line under a table.
std::string spread_legend(TableStyle style);

}  // namespace ncvx::detail
