// A sweep's points (hw_proposals/sweep/expansion.cpp): the grid's fixed order,
// seeded sampling and constraints that drop points without renaming the rest.
#include <catch2/catch.hpp>

#include "hw_proposals/sweep/expansion.hpp"

using namespace hwsim::sweep;

namespace {

Axis list_axis(std::string key, std::vector<double> values) {
  Axis a;
  a.key = std::move(key);
  a.values = std::move(values);
  return a;
}

}  // namespace

TEST_CASE("a grid takes every combination in a fixed order, the last axis fastest") {
  const std::vector<Axis> axes = {list_axis("a", {1, 2}), list_axis("b", {10, 20, 30})};
  const auto pts = expand_points(axes, {}, {});
  REQUIRE(pts.size() == 6);
  for (size_t i = 0; i < pts.size(); ++i) CHECK(pts[i].index == static_cast<int>(i));
  CHECK(pts[0].values == std::vector<double>{1, 10});
  CHECK(pts[1].values == std::vector<double>{1, 20});
  CHECK(pts[3].values == std::vector<double>{2, 10});
  // One axis: its values, in the order given (a study's sensitivity line).
  const auto one = expand_points({list_axis("a", {16, 4, 256})}, {}, {});
  REQUIRE(one.size() == 3);
  CHECK(one[1].values == std::vector<double>{4});
}

TEST_CASE("an integer axis's grid values are whole, and sampling is fixed by its seed") {
  Axis n = list_axis("n", {1.4, 2.6});
  n.integer = true;
  CHECK(expand_points({n}, {}, {})[1].values == std::vector<double>{3});
  Axis r = list_axis("r", {0, 100});
  r.range = true;
  const Sampling lhs{"lhs", 5, 7};
  const auto a = expand_points({r}, {}, lhs), b = expand_points({r}, {}, lhs);
  REQUIRE(a.size() == 5);
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].values == b[i].values);
  CHECK(expand_points({r}, {}, {"lhs", 5, 8})[0].values != a[0].values);
}

TEST_CASE("a constraint drops points and the others keep their index") {
  const std::vector<Axis> axes = {list_axis("a", {1, 2, 3})};
  const auto c = Constraint::parse("a != 2", {"a"}, {{}});
  const auto pts = expand_points(axes, {c}, {});
  REQUIRE(pts.size() == 2);
  CHECK(pts[0].index == 0);
  CHECK(pts[1].index == 2);
}
