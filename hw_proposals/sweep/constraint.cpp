#include "hw_proposals/sweep/constraint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::sweep {
namespace {

struct Token {
  enum Kind { kNumber, kName, kString, kOp, kEnd } kind = kEnd;
  std::string text;
  size_t column = 0;  // 1-based
};

[[noreturn]] void fail(size_t column, const std::string& what) {
  throw Error(fmt::format("column {}: {}", column, what));
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

Token number_token(const std::string& t, size_t& i) {
  const char* begin = t.c_str() + i;
  char* end = nullptr;
  (void)std::strtod(begin, &end);
  const Token tok{Token::kNumber, std::string(begin, static_cast<size_t>(end - begin)), i + 1};
  i += static_cast<size_t>(end - begin);
  return tok;
}

Token next_token(const std::string& t, size_t& i) {
  while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
  if (i == t.size()) return {Token::kEnd, "", i + 1};
  const char c = t[i];
  if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < t.size() && std::isdigit(t[i + 1])))
    return number_token(t, i);
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    const size_t start = i;
    while (i < t.size() && name_char(t[i])) ++i;
    return {Token::kName, t.substr(start, i - start), start + 1};
  }
  if (c == '\'' || c == '"') {
    const size_t close = t.find(c, i + 1);
    if (close == std::string::npos) fail(i + 1, "a quoted name is not closed");
    Token tok{Token::kString, t.substr(i + 1, close - i - 1), i + 1};
    i = close + 1;
    return tok;
  }
  for (const char* op : {"<=", ">=", "==", "!="}) {
    if (t.compare(i, 2, op) == 0) {
      i += 2;
      return {Token::kOp, op, i - 1};
    }
  }
  if (std::string("<>+-*/()").find(c) != std::string::npos) return {Token::kOp, std::string(1, t[i++]), i};
  fail(i + 1, fmt::format("unexpected character '{}'", c));
}

// Recursive descent over the grammar of sweep_constraint.hpp; every node is
// appended to `nodes` and named by its index.
class Parser {
 public:
  Parser(const std::string& text, const std::vector<std::string>& axes,
         const std::vector<std::vector<std::string>>& labels, std::vector<Constraint::Node>& nodes)
      : text_(text), axes_(axes), labels_(labels), nodes_(nodes) {
    advance();
  }
  int parse() {
    const int root = disjunction();
    if (tok_.kind != Token::kEnd) fail(tok_.column, fmt::format("unexpected '{}'", tok_.text));
    if (!named_axis_) fail(1, "the constraint names no axis (axes: " + fmt::format("{}", fmt::join(axes_, ", ")) + ")");
    return root;
  }

 private:
  void advance() { tok_ = next_token(text_, pos_); }
  bool at(Token::Kind k, const char* text) const { return tok_.kind == k && tok_.text == text; }
  int add(Constraint::Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  int binary(const std::string& op, int l, int r) { return add({Constraint::Node::kBinary, op, 0, -1, l, r}); }

  int disjunction() {
    int l = conjunction();
    while (at(Token::kName, "or")) {
      advance();
      l = binary("or", l, conjunction());
    }
    return l;
  }
  int conjunction() {
    int l = negation();
    while (at(Token::kName, "and")) {
      advance();
      l = binary("and", l, negation());
    }
    return l;
  }
  int negation() {
    if (!at(Token::kName, "not")) return comparison();
    advance();
    return add({Constraint::Node::kNot, "", 0, -1, negation(), -1});
  }
  int comparison();
  int operand(int labelled_axis);
  int sum() {
    int l = product();
    while (at(Token::kOp, "+") || at(Token::kOp, "-")) {
      const std::string op = tok_.text;
      advance();
      l = binary(op, l, product());
    }
    return l;
  }
  int product() {
    int l = unary();
    while (at(Token::kOp, "*") || at(Token::kOp, "/")) {
      const std::string op = tok_.text;
      advance();
      l = binary(op, l, unary());
    }
    return l;
  }
  int unary() {
    if (!at(Token::kOp, "-")) return primary();
    advance();
    return add({Constraint::Node::kNegate, "", 0, -1, unary(), -1});
  }
  int primary();
  int axis_index(const Token& t) {
    const auto it = std::find(axes_.begin(), axes_.end(), t.text);
    if (it != axes_.end()) return static_cast<int>(it - axes_.begin());
    const std::string hint = closest_match(t.text, axes_);
    fail(t.column, fmt::format("'{}' names no axis{}; axes: {}", t.text,
                               hint.empty() ? "" : " (did you mean '" + hint + "'?)", fmt::join(axes_, ", ")));
  }

  const std::string& text_;
  const std::vector<std::string>& axes_;
  const std::vector<std::vector<std::string>>& labels_;
  std::vector<Constraint::Node>& nodes_;
  size_t pos_ = 0;
  Token tok_;
  bool named_axis_ = false;
};

// A comparison, or a bare sum (true where non-zero). A labelled axis (the
// proposal axis) is compared only with == or != against a quoted name.
int Parser::comparison() {
  const Token first = tok_;
  int l = sum();
  for (const char* op : {"<", "<=", ">", ">=", "==", "!="}) {
    if (!at(Token::kOp, op)) continue;
    const Token op_tok = tok_;
    advance();
    const Constraint::Node& ln = nodes_[static_cast<size_t>(l)];
    const bool labelled = ln.kind == Constraint::Node::kAxis && !labels_[static_cast<size_t>(ln.axis)].empty();
    if (labelled && op_tok.text != "==" && op_tok.text != "!=")
      fail(op_tok.column, fmt::format("{} takes names: compare it with == or !=", first.text));
    const int r = labelled ? operand(ln.axis) : sum();
    return binary(op_tok.text, l, r);
  }
  return l;
}

// The right side of a comparison with labelled axis `axis`: a quoted name, as its index.
int Parser::operand(int axis) {
  const auto& names = labels_[static_cast<size_t>(axis)];
  if (tok_.kind != Token::kString)
    fail(tok_.column, fmt::format("{} is compared with a quoted name: one of {}", axes_[static_cast<size_t>(axis)],
                                  fmt::join(names, ", ")));
  const auto it = std::find(names.begin(), names.end(), tok_.text);
  if (it == names.end())
    fail(tok_.column, fmt::format("'{}' is not a value of {}: one of {}", tok_.text, axes_[static_cast<size_t>(axis)],
                                  fmt::join(names, ", ")));
  advance();
  return add({Constraint::Node::kNumber, "", static_cast<double>(it - names.begin()), -1, -1, -1});
}

int Parser::primary() {
  const Token t = tok_;
  if (t.kind == Token::kNumber) {
    advance();
    char* end = nullptr;
    const double v = std::strtod(t.text.c_str(), &end);
    if (!std::isfinite(v)) fail(t.column, "expected a finite number, got " + t.text);
    return add({Constraint::Node::kNumber, "", v, -1, -1, -1});
  }
  if (t.kind == Token::kName && t.text != "and" && t.text != "or" && t.text != "not") {
    advance();
    named_axis_ = true;
    return add({Constraint::Node::kAxis, "", 0, axis_index(t), -1, -1});
  }
  if (at(Token::kOp, "(")) {
    advance();
    const int inner = disjunction();
    if (!at(Token::kOp, ")")) fail(tok_.column, "expected ')'");
    advance();
    return inner;
  }
  if (t.kind == Token::kString) fail(t.column, "a quoted name is compared with the proposal axis only");
  fail(t.column, t.kind == Token::kEnd ? "the expression ends too early" : fmt::format("unexpected '{}'", t.text));
}

}  // namespace

Constraint Constraint::parse(const std::string& text, const std::vector<std::string>& axes,
                             const std::vector<std::vector<std::string>>& labels) {
  Constraint c;
  c.text_ = text;
  c.root_ = Parser(text, axes, labels, c.nodes_).parse();
  return c;
}

bool Constraint::holds(const std::vector<double>& values) const { return eval(root_, values) != 0.0; }

double Constraint::eval(int i, const std::vector<double>& values) const {
  const Node& n = nodes_[static_cast<size_t>(i)];
  switch (n.kind) {
    case Node::kNumber:
      return n.value;
    case Node::kAxis:
      return values[static_cast<size_t>(n.axis)];
    case Node::kNegate:
      return -eval(n.left, values);
    case Node::kNot:
      return eval(n.left, values) == 0.0 ? 1.0 : 0.0;
    case Node::kBinary:
      break;
  }
  const double l = eval(n.left, values);
  if (n.op == "and" && l == 0.0) return 0.0;  // short-circuit: `x > 0 and y / x > 2`
  if (n.op == "or" && l != 0.0) return 1.0;
  const double r = eval(n.right, values);
  if (n.op == "+") return l + r;
  if (n.op == "-") return l - r;
  if (n.op == "*") return l * r;
  if (n.op == "/") return l / r;
  if (n.op == "<") return l < r;
  if (n.op == "<=") return l <= r;
  if (n.op == ">") return l > r;
  if (n.op == ">=") return l >= r;
  if (n.op == "==") return l == r;
  if (n.op == "!=") return l != r;
  return r != 0.0;  // and, or: the left side did not decide
}

}  // namespace hwsim::sweep
