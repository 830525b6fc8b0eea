#include "sampling/allocation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "sampling/error.hpp"

namespace {

using namespace sipas::sampling;
using ::testing::ElementsAre;

std::vector<StratumFacts> strata(std::initializer_list<std::int64_t> sizes) {
  std::vector<StratumFacts> out;
  char key = 'A';
  for (auto n : sizes) {
    StratumFacts s;
    s.key = std::string(1, key++);
    s.population = n;
    out.push_back(s);
  }
  return out;
}

Allocation run(const std::vector<StratumFacts>& s, AllocationMethod m, std::int64_t n) {
  AllocationOptions o;
  o.method = m;
  o.total = n;
  return allocate(s, o);
}

TEST(AllocationTest, ProportionalByHand) {
  // 100 of 1000 over strata of 500, 300, 200: exactly 50, 30, 20.
  auto a = run(strata({500, 300, 200}), AllocationMethod::Proportional, 100);
  EXPECT_THAT(a.n, ElementsAre(50, 30, 20));
  // 10 of 600 over 100, 200, 300: 1.667, 3.333, 5 -> floors 1, 3, 5, the spare to A (.667).
  a = run(strata({100, 200, 300}), AllocationMethod::Proportional, 10);
  EXPECT_THAT(a.n, ElementsAre(2, 3, 5));
  EXPECT_NEAR(a.target[0], 10.0 / 6, 1e-12);
}

TEST(AllocationTest, LargestRemainderKeepsTheTotalAndBreaksTiesByOrder) {
  // 10 over three equal strata: 3.333 each; the one spare goes to the first.
  auto a = run(strata({50, 50, 50}), AllocationMethod::Proportional, 10);
  EXPECT_THAT(a.n, ElementsAre(4, 3, 3));
  a = run(strata({50, 50, 50}), AllocationMethod::Equal, 11);
  EXPECT_THAT(a.n, ElementsAre(4, 4, 3));
  for (std::int64_t n = 0; n <= 150; n += 7) {
    auto b = run(strata({13, 29, 108}), AllocationMethod::Proportional, n);
    EXPECT_EQ(std::accumulate(b.n.begin(), b.n.end(), std::int64_t{0}), n);
  }
}

TEST(AllocationTest, NeymanAndOptimalByHand) {
  auto s = strata({1000, 1000});
  s[0].sd = 30;
  s[1].sd = 10;
  // n_h ∝ N_h S_h: 30000 : 10000 -> 75, 25
  EXPECT_THAT(run(s, AllocationMethod::Neyman, 100).n, ElementsAre(75, 25));
  // with costs 9 and 1: 30000/3 : 10000/1 -> 50, 50
  s[0].cost = 9;
  EXPECT_THAT(run(s, AllocationMethod::Optimal, 100).n, ElementsAre(50, 50));
}

TEST(AllocationTest, PowerAllocationInterpolatesEqualAndProportional) {
  auto s = strata({100, 400});
  AllocationOptions o;
  o.method = AllocationMethod::Power;
  o.total = 30;
  o.power_q = 0.5;  // √100 : √400 = 10 : 20
  EXPECT_THAT(allocate(s, o).n, ElementsAre(10, 20));
  o.power_q = 0;
  EXPECT_THAT(allocate(s, o).n, ElementsAre(15, 15));
  o.power_q = 1;
  EXPECT_THAT(allocate(s, o).n, ElementsAre(6, 24));
  o.power_q = 0.5;
  o.use_cv = true;  // CVs 0.2 and 0.05: 0.2·10 : 0.05·20 = 2 : 1
  s[0].sd = 2;
  s[0].mean = 10;
  s[1].sd = 1;
  s[1].mean = 20;
  EXPECT_THAT(allocate(s, o).n, ElementsAre(20, 10));
}

TEST(AllocationTest, NeverMoreThanTheStratumHolds) {
  // Proportional would ask 9.5 of a stratum of 5? No: Neyman with a large SD.
  auto s = strata({5, 1000});
  s[0].sd = 1000;
  s[1].sd = 1;
  auto a = run(s, AllocationMethod::Neyman, 40);
  EXPECT_THAT(a.n, ElementsAre(5, 35));
}

TEST(AllocationTest, MinimumsAndMaximums) {
  auto s = strata({20, 2000, 8000});
  s[0].min = 10;
  auto a = run(s, AllocationMethod::Proportional, 100);
  // A gets its minimum 10; 90 left over 2000 : 8000 -> 18, 72.
  EXPECT_THAT(a.n, ElementsAre(10, 18, 72));
  s[2].max = 50;
  a = run(s, AllocationMethod::Proportional, 100);
  EXPECT_THAT(a.n, ElementsAre(10, 40, 50));
}

TEST(AllocationTest, ImpossibleTotalsAreErrors) {
  auto s = strata({10, 10});
  try {
    run(s, AllocationMethod::Proportional, 21);
    FAIL();
  } catch (const SamplingError& e) {
    EXPECT_EQ(e.id(), "allocation.total_above_population");
  }
  s[0].min = 8;
  s[1].min = 8;
  try {
    run(s, AllocationMethod::Proportional, 15);
    FAIL();
  } catch (const SamplingError& e) {
    EXPECT_EQ(e.id(), "allocation.total_below_minimum");
  }
  auto z = strata({10, 10});
  z[0].sd = 0;
  z[1].sd = 0;
  EXPECT_THROW(run(z, AllocationMethod::Neyman, 5), SamplingError);
}

TEST(AllocationTest, MethodNames) {
  for (const char* name : {"proportional", "equal", "neyman", "power", "optimal"}) {
    auto m = allocation_method_from_string(name);
    ASSERT_TRUE(m.has_value()) << name;
    EXPECT_EQ(to_string(*m), name);
  }
  EXPECT_FALSE(allocation_method_from_string("random").has_value());
}

}  // namespace
