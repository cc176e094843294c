package org.dpq.engine.analysis;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDynamicParam;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlTableRef;
import org.dpq.engine.catalog.Dataset;
import org.dpq.errors.QueryParameter;
import org.dpq.errors.QueryRejectedException;

/**
 * Checks the parsed statement's shape before validation: one SELECT over the dataset's one table, with no
 * statement dpq cannot bound (DML, DDL, EXPLAIN, set operations, joins, subqueries, window functions,
 * hints, parameters, SELECT DISTINCT with GROUP BY, grouping sets, unsupported aggregates). Owns
 * invariant 6 for the constructs visible in the SQL text: each is rejected, naming it and the fix, before any
 * data access. A subquery in FROM that only projects and filters the table's rows is accepted (see
 * {@link #checkDerivedTable}); it is answered as the flattened query.
 */
final class QueryShapeCheck {
  /** Deepest expression tree accepted (a long chain of AND/OR/+ is this deep). */
  static final int MAX_TREE_DEPTH = 200;

  private static final Set<String> NOT_YET = Set.of("APPROX_PERCENTILE", "PERCENTILE", "QUANTILE",
      "QUANTILE_CONT", "QUANTILE_DISC", "MODE", "ARG_MIN", "ARG_MAX", "ARGMIN", "ARGMAX", "MIN_BY", "MAX_BY", "ANY_VALUE", "FIRST_VALUE", "LAST_VALUE");

  private QueryShapeCheck() {}

  static void check(SqlNode statement, Dataset dataset) {
    checkDepth(statement);
    SqlKind kind = statement.getKind();
    if (!kind.belongsTo(SqlKind.QUERY)) {
      throw statementKind(kind);
    }
    SqlNode query = statement;
    SqlNodeList orderList = SqlNodeList.EMPTY;
    if (statement instanceof SqlOrderBy orderBy) {
      query = orderBy.query;
      orderList = orderBy.orderList;
      checkLimit(orderBy.offset, "OFFSET");
      checkLimit(orderBy.fetch, "LIMIT/FETCH");
    }
    switch (query.getKind()) {
      case SELECT -> checkSelect((SqlSelect) query, orderList, dataset);
      case UNION, INTERSECT, EXCEPT -> throw Reject.because("set operation " + query.getKind()
          + " is not supported: each branch would need its own contribution bounds",
          "run each SELECT as its own query (each is charged separately)");
      case WITH -> throw Reject.because("WITH (common table expression) is not supported: dpq bounds one SELECT "
          + "over the private table", "write the query as one SELECT ... FROM " + dataset.table()
          + " with WHERE and GROUP BY");
      case VALUES -> throw literalOnly(dataset);
      case EXPLICIT_TABLE -> throw rawRows();
      default -> throw Reject.because("a " + query.getKind() + " query is not supported",
          "write one SELECT with aggregates over " + dataset.table());
    }
  }

  private static QueryRejectedException statementKind(SqlKind kind) {
    return switch (kind) {
      case INSERT, UPDATE, DELETE, MERGE -> Reject.because(kind + " statement (data modification) is not accepted: "
          + "dpq answers read-only aggregate queries", "send one SELECT statement");
      case EXPLAIN -> Reject.because("EXPLAIN statement is not accepted as a query",
          "use 'dpq explain' (or the API's explain) with the SELECT statement itself");
      default -> Reject.because(kind + " statement is not accepted: dpq answers read-only aggregate queries",
          "send one SELECT statement");
    };
  }

  static QueryRejectedException literalOnly(Dataset dataset) {
    return Reject.because("a literal-only query (no FROM, or VALUES) reads no data and is not a DP query",
        "select aggregates from the dataset's table, e.g. SELECT COUNT(*) FROM " + dataset.table());
  }

  static QueryRejectedException rawRows() {
    return Reject.because("non-aggregate output (raw rows, e.g. SELECT * or a column without an aggregate) "
        + "is not released: dpq releases noisy aggregates only",
        "aggregate, e.g. SELECT col, COUNT(*) FROM ... GROUP BY col, or SUM/AVG over a bounded column");
  }

  private static void checkSelect(SqlSelect select, SqlNodeList orderList, Dataset dataset) {
    if (select.getHints() != null && !select.getHints().isEmpty()) {
      throw hints();
    }
    if (select.isDistinct() && select.getGroup() != null && !select.getGroup().isEmpty()) {
      throw Reject.because("SELECT DISTINCT together with GROUP BY is not supported",
          "drop DISTINCT: the groups of GROUP BY are distinct already");
    }
    if (select.getFrom() == null) {
      throw literalOnly(dataset);
    }
    checkFrom(select.getFrom(), dataset);
    if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
      throw window();
    }
    if (select.getQualify() != null) {
      throw window();
    }
    if (select.getGroup() != null) {
      for (SqlNode key : select.getGroup()) {
        checkGroupKey(key);
      }
    }
    walk(select.getSelectList(), "the SELECT list");
    walk(select.getWhere(), "WHERE");
    walk(select.getHaving(), "HAVING");
    walk(select.getOrderList(), "ORDER BY");
    walk(orderList, "ORDER BY");
    checkLimit(select.getOffset(), "OFFSET");
    checkLimit(select.getFetch(), "LIMIT/FETCH");
  }

  private static void checkFrom(SqlNode from, Dataset dataset) {
    if (dataset.hasSeveralTables()) {
      // joins and their keys are checked on the converted plan (JoinedQuery)
      if (from instanceof SqlJoin join) {
        checkFrom(join.getLeft(), dataset);
        checkFrom(join.getRight(), dataset);
        return;
      }
      if (from instanceof SqlIdentifier id) {
        if (id.names.size() != 1 || dataset.tableSpec(id.names.get(0)).isEmpty()) {
          throw Reject.because("unknown table '" + id + "'", "use one of the dataset's tables: "
              + dataset.allTables().stream().map(org.dpq.engine.catalog.TableSpec::name).toList());
        }
        return;
      }
    }
    if (from instanceof SqlJoin) {
      throw Reject.because("JOIN is not supported yet: dpq bounds contributions over one private table",
          "query the one table " + dataset.table() + " without JOIN (joins come later)");
    }
    if (from instanceof SqlTableRef) {
      throw hints();
    }
    if (from instanceof SqlIdentifier id) {
      if (id.names.size() != 1 || !id.names.get(0).equalsIgnoreCase(dataset.table())) {
        String guess = CalciteErrors.closest(id.names.get(id.names.size() - 1), java.util.List.of(dataset.table()))
            .map(t -> "did you mean '" + t + "'? ").orElse("");
        throw Reject.because("unknown table '" + id + "': this dataset has one table, '" + dataset.table() + "'",
            guess + "write FROM " + dataset.table());
      }
      return;
    }
    SqlKind kind = from.getKind();
    if (kind == SqlKind.AS) {
      checkFrom(((SqlCall) from).operand(0), dataset);
      return;
    }
    if (kind.belongsTo(SqlKind.QUERY)) {
      checkDerivedTable(from, dataset);
      return;
    }
    if (kind == SqlKind.TABLESAMPLE) {
      throw Reject.because("TABLESAMPLE is not supported", "remove TABLESAMPLE (noise already protects the answer)");
    }
    throw Reject.because("FROM " + kind + " is not supported: dpq reads one private table",
        "write FROM " + dataset.table());
  }

  /**
   * A subquery in FROM is accepted only when it projects and filters the table's rows and nothing else (no
   * aggregate, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT/OFFSET, window, join or set operation; its own FROM is
   * the table or another such subquery). Such a subquery is row-level work: the converted plan is Projects and
   * Filters over the one scan, which the plan extractor composes into the outer query's row expressions, so the
   * query is bounded, rewritten and answered exactly as its flattened form. Any other subquery is rejected here.
   */
  private static void checkDerivedTable(SqlNode query, Dataset dataset) {
    if (query instanceof SqlOrderBy) {
      throw derivedTable("ORDER BY, LIMIT or OFFSET", "which rows a LIMIT keeps depends on the data", dataset);
    }
    if (!(query instanceof SqlSelect select)) {
      throw derivedTable(query.getKind().toString(), "only a projection and filter of the table is merged",
          dataset);
    }
    if (select.getHints() != null && !select.getHints().isEmpty()) {
      throw hints();
    }
    walk(select.getSelectList(), "the SELECT list of a subquery in FROM");
    walk(select.getWhere(), "the WHERE of a subquery in FROM");
    if (select.isDistinct()) {
      throw derivedTable("DISTINCT", "it would collapse one unit's rows before their contribution is bounded",
          dataset);
    }
    if (select.getGroup() != null && !select.getGroup().isEmpty() || select.getHaving() != null
        || containsAggregate(select.getSelectList())) {
      // a per-unit subquery (GROUP BY exactly the unit): one row per unit, see PerUnitQuery
      PerUnitQuery.checkGroupsByUnit(select, dataset);
      walk(select.getHaving(), "the HAVING of a subquery in FROM");
    }
    if (select.getOrderList() != null && !select.getOrderList().isEmpty() || select.getFetch() != null
        || select.getOffset() != null) {
      throw derivedTable("ORDER BY, LIMIT or OFFSET", "which rows a LIMIT keeps depends on the data", dataset);
    }
    if (select.getWindowList() != null && !select.getWindowList().isEmpty() || select.getQualify() != null) {
      throw window();
    }
    if (select.getFrom() == null) {
      throw literalOnly(dataset);
    }
    checkFrom(select.getFrom(), dataset);
  }

  private static QueryRejectedException derivedTable(String what, String why, Dataset dataset) {
    return Reject.because("a subquery in FROM with " + what + " is not supported: " + why + "; dpq merges only a "
        + "subquery that selects and filters rows of " + dataset.table(), "write one SELECT ... FROM "
        + dataset.table() + " with WHERE, GROUP BY and HAVING (a subquery in FROM may only select columns or "
        + "expressions and filter with WHERE)");
  }

  /** Names of every aggregate function, in any spelling dpq accepts, upper case. */
  private static final Set<String> AGGREGATES = aggregateNames();

  private static Set<String> aggregateNames() {
    Set<String> names = new java.util.HashSet<>(Set.of("VAR", "STD", "STDEV", "MEDIAN",
        AvgPerUnit.INSTANCE.getName()));
    names.addAll(NOT_YET);
    for (org.apache.calcite.sql.SqlOperator op : org.apache.calcite.sql.fun.SqlStdOperatorTable.instance()
        .getOperatorList()) {
      if (op.isAggregator()) {
        names.add(op.getName().toUpperCase(Locale.ROOT));
      }
    }
    return Set.copyOf(names);
  }

  /** True when {@code root} calls an aggregate function anywhere (iteratively). */
  private static boolean containsAggregate(SqlNode root) {
    Deque<SqlNode> stack = new ArrayDeque<>();
    if (root != null) {
      stack.push(root);
    }
    while (!stack.isEmpty()) {
      SqlNode node = stack.pop();
      if (node instanceof SqlNodeList list) {
        list.forEach(item -> {
          if (item != null) {
            stack.push(item);
          }
        });
      } else if (node instanceof SqlCall call) {
        SqlKind kind = call.getKind();
        if (call.getOperator().isAggregator() || kind == SqlKind.WITHIN_GROUP || kind == SqlKind.FILTER
            || AGGREGATES.contains(call.getOperator().getName().toUpperCase(Locale.ROOT))) {
          return true;
        }
        for (SqlNode operand : call.getOperandList()) {
          if (operand != null) {
            stack.push(operand);
          }
        }
      }
    }
    return false;
  }

  private static void checkGroupKey(SqlNode key) {
    SqlKind kind = key.getKind();
    if (kind == SqlKind.ROLLUP || kind == SqlKind.CUBE || kind == SqlKind.GROUPING_SETS) {
      throw Reject.because("GROUP BY " + kind + " is not supported: each grouping set would need its own bounds",
          "run one query per grouping (plain GROUP BY col1, col2)");
    }
    walk(key, "GROUP BY");
  }

  private static void checkLimit(SqlNode node, String clause) {
    if (node != null && !(node.getKind() == SqlKind.LITERAL)) {
      throw Reject.because(clause + " must be a literal number", "write e.g. LIMIT 10");
    }
  }

  private static QueryRejectedException hints() {
    return Reject.because("query hints (/*+ ... */) are not accepted: noise, seeds and budget are not set from SQL",
        "remove the hint; pass epsilon and delta as query options", Set.of(QueryParameter.EPSILON, QueryParameter.DELTA));
  }

  private static QueryRejectedException window() {
    return Reject.because("window functions (OVER, WINDOW, QUALIFY) are not supported: they release per-row values",
        "use GROUP BY with aggregates instead");
  }

  /** Walks an expression (iteratively) for subqueries, windows, parameters and not-yet-supported aggregates. */
  private static void walk(SqlNode root, String where) {
    if (root == null) {
      return;
    }
    Deque<SqlNode> stack = new ArrayDeque<>();
    stack.push(root);
    while (!stack.isEmpty()) {
      SqlNode node = stack.pop();
      if (node == null) {
        continue;
      }
      if (node instanceof SqlNodeList list) {
        for (SqlNode item : list) {
          if (item != null) {
            stack.push(item);
          }
        }
        continue;
      }
      if (node instanceof SqlDynamicParam) {
        throw Reject.because("query parameters ('?') are not supported", "write the value as a literal");
      }
      SqlKind kind = node.getKind();
      if (node instanceof SqlSelect || kind.belongsTo(SqlKind.QUERY)) {
        throw Reject.because("a subquery in " + where + " is not supported: its result would escape the "
            + "contribution bounds", "write one SELECT over the table (use WHERE conditions instead of "
            + "IN/EXISTS subqueries, and compute other aggregates in separate queries)");
      }
      if (kind == SqlKind.OVER || kind == SqlKind.WINDOW) {
        throw window();
      }
      if (node instanceof SqlCall call) {
        String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
        if (NOT_YET.contains(name)) {
          throw Reject.because(name + " is not supported yet",
              "for order statistics use MIN, MAX, MEDIAN(col) or PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY col)");
        }
        if ((kind == SqlKind.LIKE || kind == SqlKind.SIMILAR) && call.operandCount() == 3) {
          checkEscape(call.operand(2));
        }
        List<SqlNode> operands = call.getOperandList();
        for (SqlNode operand : operands) {
          if (operand != null) {
            stack.push(operand);
          }
        }
      }
    }
  }

  /**
   * An ESCAPE must be one literal character: DuckDB raises an error it cannot turn into NULL for any other escape,
   * but only on rows that reach the LIKE, so whether the query failed would tell which rows exist.
   */
  private static void checkEscape(SqlNode escape) {
    if (!(escape instanceof SqlCharStringLiteral literal) || literal.getValueAs(String.class).length() != 1) {
      throw Reject.because("LIKE or SIMILAR TO with an ESCAPE that is not exactly one literal character",
          "write one character, e.g. ESCAPE '!'");
    }
  }

  /** Rejects statements whose syntax tree is deeper than {@link #MAX_TREE_DEPTH}, without recursion. */
  private static void checkDepth(SqlNode root) {
    Deque<SqlNode> nodes = new ArrayDeque<>();
    Deque<Integer> depths = new ArrayDeque<>();
    nodes.push(root);
    depths.push(1);
    while (!nodes.isEmpty()) {
      SqlNode node = nodes.pop();
      int depth = depths.pop();
      if (depth > MAX_TREE_DEPTH) {
        throw Reject.because("the query's expressions are nested deeper than " + MAX_TREE_DEPTH
            + " levels (e.g. a long chain of OR or +)", "simplify it, e.g. write x IN (1, 2, 3) instead of "
            + "x = 1 OR x = 2 OR x = 3");
      }
      if (node instanceof SqlNodeList list) {
        for (SqlNode child : list) {
          if (child != null) {
            nodes.push(child);
            depths.push(depth + 1);
          }
        }
      } else if (node instanceof SqlCall call) {
        for (SqlNode child : call.getOperandList()) {
          if (child != null) {
            nodes.push(child);
            depths.push(depth + 1);
          }
        }
      }
    }
  }
}
