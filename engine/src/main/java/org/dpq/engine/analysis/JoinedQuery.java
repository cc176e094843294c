package org.dpq.engine.analysis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.plan.Contexts;
import org.apache.calcite.prepare.RelOptTableImpl;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.tools.RelBuilder;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;
import org.dpq.engine.catalog.PrivacyUnit;
import org.dpq.engine.catalog.TableSpec;

/**
 * The FROM of a query over a dataset of several tables, seen as one relation with the privacy unit attached.
 * Owns the several-table half of invariant 3: every private row gets its unit through the declared key chain
 * (a row of a linked table takes the smallest unit among the parent rows its key matches), a joined row is kept
 * only when all its private rows agree on that unit, and the query is then bounded per unit by the usual rewrite
 * AFTER the join, so a join can never raise a unit's contribution. Joins that could multiply or invent private
 * rows outside this (non-declared private keys, public tables joined off their key, cross, comma, self, RIGHT
 * and FULL joins, ON conditions other than one key equality) are rejected before any charge.
 */
final class JoinedQuery {
  /** The unit column appended to the joined relation. */
  static final String UNIT = "dpq_unit";
  static final String VIEW = "dpq_joined";

  /** A table of the FROM and where its columns start in the joined row. */
  private record Leaf(TableSpec spec, TableScan scan, int offset) {}

  private final Dataset dataset;
  private final List<Leaf> leaves = new ArrayList<>();

  private final PublicTuples publicTuples;

  private JoinedQuery(Dataset dataset, PublicTuples publicTuples) {
    this.dataset = dataset;
    this.publicTuples = publicTuples;
  }

  /** The plan of {@code root} over several tables; joint key domains read their tuples through {@code tuples}. */
  static DpPlan extract(Dataset dataset, String sql, RelNode root, PublicTuples tuples) {
    return new JoinedQuery(dataset, tuples).plan(sql, root);
  }

  /** The joint key domains declared on the tables of the FROM, named as fields of the joined view. */
  private List<JointDomains.Declared> jointDomains() {
    List<JointDomains.Declared> out = new ArrayList<>();
    for (Leaf l : leaves) {
      for (org.dpq.engine.catalog.KeyDomain d : l.spec().keyDomains()) {
        out.add(new JointDomains.Declared(d.columns().stream().map(c -> l.spec().name() + "__" + c).toList(),
            dataset.tableSpec(d.table()).orElseThrow(), d.publicColumns()));
      }
    }
    return out;
  }

  private DpPlan plan(String sql, RelNode root) {
    List<RelNode> path = new ArrayList<>();
    RelNode node = root;
    while (!(node instanceof Join) && !(node instanceof TableScan)) {
      if (node.getInputs().size() != 1) {
        // not a FROM we understand (a set operation, values): the extractor names it
        return new PlanExtractor(dataset, sql).extract(root);
      }
      path.add(node);
      node = node.getInput(0);
    }
    RelNode from = node;
    collect(from, 0);
    if (leaves.stream().noneMatch(l -> l.spec().isPrivate())) {
      throw Reject.because("the query reads public tables only; dpq answers queries over private data",
          "join a private table (e.g. the unit table " + dataset.table() + ")");
    }
    Set<String> seen = new HashSet<>();
    for (Leaf l : leaves) {
      if (!seen.add(l.spec().name().toLowerCase(java.util.Locale.ROOT))) {
        throw Reject.because("a self join (table " + l.spec().name() + " twice) is not supported: it pairs one "
            + "unit's rows with each other or with other units' rows", "read " + l.spec().name() + " once");
      }
    }
    if (from instanceof Join) {
      check(from);
    }
    RelBuilder b = RelBuilder.proto(Contexts.of(RelBuilder.Config.DEFAULT.withSimplify(false).withBloat(-1)))
        .create(from.getCluster(), leaves.get(0).scan().getTable().getRelOptSchema());
    RelNode real = real(b, from);
    RelDataType viewType = real.getRowType();
    RelOptTableImpl table = RelOptTableImpl.create(leaves.get(0).scan().getTable().getRelOptSchema(), viewType,
        List.of(VIEW), null);
    RelNode replaced = withUnitAliases(LogicalTableScan.create(from.getCluster(), table, List.of()), viewType,
        b.getRexBuilder());
    for (int i = path.size() - 1; i >= 0; i--) {
      RelNode step = path.get(i);
      replaced = step.copy(step.getTraitSet(), List.of(replaced));
    }
    Dataset view = view(viewType);
    Optional<PerUnitQuery.Split> perUnit = PerUnitQuery.split(view, replaced,
        ((PrivacyUnit.ByColumn) dataset.unit()).column(),
        "one private table or a join along declared keys");
    if (perUnit.isPresent()) {
      // a per-unit subquery over the join: bounded like one over a table, reading the joined relation
      PerUnitQuery.Split s = perUnit.get();
      return new PlanExtractor(s.derived(), sql).extract(s.outer()).withPerUnit(s.source().reading(real));
    }
    DpPlan plan = new PlanExtractor(view, sql, jointDomains(), publicTuples).extract(replaced);
    return new DpPlan(plan.dataset(), plan.sql(), real, plan.unitField(), plan.where(), plan.keys(),
        plan.measurements(), plan.selectionMeasurement(), plan.aggregates(), plan.post(), plan.partitionMode());
  }

  /**
   * Fields of the joined row that equal the unit in every row the join keeps: the unit table's unit column, and a
   * private table's {@code unit_via} key that points at it (its rows take that key as their unit, and a joined row
   * is kept only where every private row's unit agrees). Only fields of exactly the unit's type are listed.
   */
  private Set<Integer> unitAliases(RelDataType viewType) {
    String unitColumn = ((PrivacyUnit.ByColumn) dataset.unit()).column();
    RelDataType unitType = viewType.getFieldList().get(viewType.getFieldCount() - 1).getType();
    Set<Integer> out = new HashSet<>();
    for (Leaf l : leaves) {
      String alias = null;
      if (l.spec().link() instanceof TableSpec.Link.Unit) {
        alias = unitColumn;
      } else if (l.spec().link() instanceof TableSpec.Link.Private p
          && p.target().table().equalsIgnoreCase(dataset.table()) && p.target().column().equalsIgnoreCase(unitColumn)) {
        alias = p.column();
      }
      if (alias == null) {
        continue;
      }
      List<String> names = l.scan().getRowType().getFieldNames();
      for (int c = 0; c < names.size(); c++) {
        if (names.get(c).equalsIgnoreCase(alias) && viewType.getFieldList().get(l.offset() + c).getType()
            .equals(unitType)) {
          out.add(l.offset() + c);
        }
      }
    }
    return out;
  }

  /**
   * The view with the unit read wherever the query reads one of its aliases (above), so that
   * {@code COUNT(DISTINCT c.customer_id)} over a join is recognised as counting units (1 per unit and group) rather
   * than values (R per unit and group), and a GROUP BY of an alias is refused as a GROUP BY of the unit. The rows
   * and values are the same.
   */
  private RelNode withUnitAliases(RelNode view, RelDataType viewType, RexBuilder rex) {
    Set<Integer> aliases = unitAliases(viewType);
    if (aliases.isEmpty()) {
      return view;
    }
    int unit = viewType.getFieldCount() - 1;
    List<RexNode> fields = new ArrayList<>();
    for (int i = 0; i < viewType.getFieldCount(); i++) {
      fields.add(rex.makeInputRef(view, aliases.contains(i) ? unit : i));
    }
    return org.apache.calcite.rel.logical.LogicalProject.create(view, List.of(), fields, viewType, Set.of());
  }

  private void collect(RelNode node, int offset) {
    if (node instanceof TableScan scan) {
      String name = scan.getTable().getQualifiedName().get(scan.getTable().getQualifiedName().size() - 1);
      TableSpec spec = dataset.tableSpec(name).orElseThrow(() -> Reject.because("unknown table " + name,
          "use the dataset's tables"));
      leaves.add(new Leaf(spec, scan, offset));
      return;
    }
    if (node instanceof Join join) {
      collect(join.getLeft(), offset);
      collect(join.getRight(), offset + join.getLeft().getRowType().getFieldCount());
      return;
    }
    if (node instanceof org.apache.calcite.rel.core.Project && node.getInput(0) instanceof TableScan) {
      throw Reject.because("the join's key columns have different types, so the join would compare converted values",
          "declare both key columns with the same type in the dataset (e.g. both long)");
    }
    throw Reject.because("a join input that is not a table (a subquery, or JOIN ... USING) is not supported",
        "join the tables themselves: FROM a JOIN b ON a.key = b.key");
  }

  private Leaf leafAt(int field) {
    Leaf found = null;
    for (Leaf l : leaves) {
      if (l.offset() <= field) {
        found = l;
      }
    }
    return found;
  }

  private String columnOf(int field) {
    Leaf l = leafAt(field);
    return l.scan().getRowType().getFieldNames().get(field - l.offset());
  }

  /** Every join: INNER or LEFT, ON exactly one equality of a declared key or a public table's key. */
  private void check(RelNode node) {
    if (!(node instanceof Join join)) {
      return;
    }
    check(join.getLeft());
    check(join.getRight());
    int base = leafOffset(join);
    int leftWidth = join.getLeft().getRowType().getFieldCount();
    if (join.getJoinType() != JoinRelType.INNER && join.getJoinType() != JoinRelType.LEFT) {
      throw Reject.because(join.getJoinType() + " JOIN is not supported: it could invent or multiply private rows",
          "write an INNER JOIN, or a LEFT JOIN from the private table to a public one");
    }
    RexNode c = join.getCondition();
    if (c.isAlwaysTrue()) {
      throw Reject.because("a cross join (CROSS JOIN, a comma between tables, or ON TRUE) is not supported: it "
          + "pairs every row with every other", "join on a declared key: FROM a JOIN b ON a.key = b.key");
    }
    if (!(c instanceof RexCall call) || call.getKind() != SqlKind.EQUALS || ref(call.getOperands().get(0)) < 0
        || ref(call.getOperands().get(1)) < 0) {
      throw Reject.because("the ON condition must be exactly one equality of key columns", "write ON a.key = b.key "
          + "along a declared unit_via key or a public table's key; put other conditions in WHERE");
    }
    int x = ref(call.getOperands().get(0));
    int y = ref(call.getOperands().get(1));
    int l = Math.min(x, y) + base;
    int r = Math.max(x, y) + base;
    if (Math.min(x, y) >= leftWidth || Math.max(x, y) < leftWidth) {
      throw Reject.because("the ON condition must compare a column of each side", "write ON a.key = b.key");
    }
    Leaf a = leafAt(l);
    Leaf bLeaf = leafAt(r);
    String ac = columnOf(l);
    String bc = columnOf(r);
    boolean rightPublic = subtreeLeaves(join.getRight()).stream().noneMatch(t -> t.spec().isPrivate());
    if (join.getJoinType() == JoinRelType.LEFT && !rightPublic) {
      throw Reject.because("a LEFT JOIN to a private table is not supported yet", "use an INNER JOIN between private "
          + "tables; a LEFT JOIN may add a public table");
    }
    if (!a.spec().isPrivate() || !bLeaf.spec().isPrivate()) {
      Leaf pub = !bLeaf.spec().isPrivate() ? bLeaf : a;
      String pc = pub == bLeaf ? bc : ac;
      String key = ((TableSpec.Link.Public) pub.spec().link()).key();
      if (!pc.equalsIgnoreCase(key)) {
        // a public table met on its key from the other side is fine too
        Leaf other = pub == bLeaf ? a : bLeaf;
        String oc = pub == bLeaf ? ac : bc;
        if (!(other.spec().link() instanceof TableSpec.Link.Public op && oc.equalsIgnoreCase(op.key()))) {
          throw Reject.because("the public table " + pub.spec().name() + " is joined on " + pc + ", which is not its "
              + "declared unique key (" + key + "): a private row could meet several of its rows",
              "join " + pub.spec().name() + " ON ... = " + pub.spec().name() + "." + key);
        }
      }
      return;
    }
    if (!declared(a.spec(), ac, bLeaf.spec(), bc) && !declared(bLeaf.spec(), bc, a.spec(), ac)) {
      throw Reject.because("private tables " + a.spec().name() + " and " + bLeaf.spec().name() + " are joined on "
          + a.spec().name() + "." + ac + " = " + bLeaf.spec().name() + "." + bc + ", which is not a declared unit_via "
          + "key: rows of different units could be paired", "join along a declared key (unit_via in the dataset)");
    }
  }

  private static boolean declared(TableSpec child, String column, TableSpec parent, String parentColumn) {
    return child.link() instanceof TableSpec.Link.Private p && p.column().equalsIgnoreCase(column)
        && p.target().table().equalsIgnoreCase(parent.name()) && p.target().column().equalsIgnoreCase(parentColumn);
  }

  private int leafOffset(RelNode node) {
    return subtreeLeaves(node).get(0).offset();
  }

  private List<Leaf> subtreeLeaves(RelNode node) {
    List<Leaf> out = new ArrayList<>();
    if (node instanceof TableScan scan) {
      leaves.stream().filter(l -> l.scan() == scan).forEach(out::add);
    } else {
      for (RelNode in : node.getInputs()) {
        out.addAll(subtreeLeaves(in));
      }
    }
    return out;
  }

  private static int ref(RexNode e) {
    if (e instanceof RexInputRef r) {
      return r.getIndex();
    }
    if (e instanceof RexCall c && c.getKind() == SqlKind.CAST) {
      return ref(c.getOperands().get(0));
    }
    return -1;
  }

  // ---- the real relation: every leaf with its unit, joined as written, kept where the units agree

  /** Position of each leaf's unit field in the attached join, or -1 for public leaves. */
  private final List<Integer> unitPositions = new ArrayList<>();
  private final List<Integer> attachedOffsets = new ArrayList<>();

  private RelNode real(RelBuilder b, RelNode from) {
    build(b, from);
    RexBuilder rex = b.getRexBuilder();
    List<RexNode> agree = new ArrayList<>();
    int first = -1;
    for (int i = 0; i < leaves.size(); i++) {
      if (unitPositions.get(i) >= 0) {
        if (first < 0) {
          first = unitPositions.get(i);
          agree.add(b.isNotNull(b.field(first)));
        } else {
          agree.add(b.equals(b.field(unitPositions.get(i)), b.field(first)));
        }
      }
    }
    b.filter(agree);
    List<RexNode> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<RelDataType> types = new ArrayList<>();
    for (int i = 0; i < leaves.size(); i++) {
      Leaf l = leaves.get(i);
      List<String> cols = l.scan().getRowType().getFieldNames();
      for (int c = 0; c < cols.size(); c++) {
        RelDataType want = from.getRowType().getFieldList().get(l.offset() + c).getType();
        RexNode f = b.field(attachedOffsets.get(i) + c);
        out.add(f.getType().equals(want) ? f : rex.makeCast(want, f, true, false));
        names.add(l.spec().name() + "__" + cols.get(c));
      }
    }
    out.add(b.field(first));
    names.add(UNIT);
    b.project(out, names, true);
    return b.build();
  }

  private void build(RelBuilder b, RelNode node) {
    if (node instanceof TableScan scan) {
      int i = indexOf(scan);
      attached(b, leaves.get(i).spec());
      return;
    }
    Join join = (Join) node;
    int before = attachedWidth();
    build(b, join.getLeft());
    int leftWidth = attachedWidth() - before;
    build(b, join.getRight());
    RexCall call = (RexCall) join.getCondition();
    int base = leafOffset(join);
    int x = Math.min(ref(call.getOperands().get(0)), ref(call.getOperands().get(1))) + base;
    int y = Math.max(ref(call.getOperands().get(0)), ref(call.getOperands().get(1))) + base;
    b.join(join.getJoinType(), b.equals(b.field(2, 0, attachedPosition(x) - before),
        b.field(2, 1, attachedPosition(y) - before - leftWidth)));
  }

  private int indexOf(TableScan scan) {
    for (int i = 0; i < leaves.size(); i++) {
      if (leaves.get(i).scan() == scan) {
        return i;
      }
    }
    throw new IllegalStateException("scan not collected");
  }

  private int attachedWidth() {
    int w = 0;
    for (int i = 0; i < attachedOffsets.size(); i++) {
      w = attachedOffsets.get(i) + leaves.get(i).scan().getRowType().getFieldCount()
          + (unitPositions.get(i) >= 0 ? 1 : 0);
    }
    return w;
  }

  private int attachedPosition(int field) {
    Leaf l = leafAt(field);
    return attachedOffsets.get(leaves.indexOf(l)) + field - l.offset();
  }

  /** Pushes {@code spec}'s rows with its unit appended (private tables), and records the layout. */
  private void attached(RelBuilder b, TableSpec spec) {
    int offset = attachedWidth();
    attachedOffsets.add(offset);
    int width = pushWithUnit(b, spec);
    unitPositions.add(spec.isPrivate() ? offset + width : -1);
  }

  /** Pushes the table's declared columns, plus its unit when private; returns the number of declared columns. */
  private int pushWithUnit(RelBuilder b, TableSpec spec) {
    b.scan(spec.name());
    int width = b.peek().getRowType().getFieldCount();
    String unitColumn = ((PrivacyUnit.ByColumn) dataset.unit()).column();
    TableSpec.Link link = spec.link();
    if (link instanceof TableSpec.Link.Public) {
      return width;
    }
    List<RexNode> fields = new ArrayList<>(b.fields());
    if (link instanceof TableSpec.Link.Unit) {
      fields.add(b.field(unitColumn));
      b.project(fields);
      return width;
    }
    TableSpec.Link.Private p = (TableSpec.Link.Private) link;
    TableSpec parent = dataset.tableSpec(p.target().table()).orElseThrow();
    if (parent.link() instanceof TableSpec.Link.Unit && p.target().column().equalsIgnoreCase(unitColumn)) {
      RelDataType unitType = unitType(b);
      RexNode key = b.field(p.column());
      fields.add(key.getType().equals(unitType) ? key : b.getRexBuilder().makeCast(unitType, key, true, false));
      b.project(fields);
      return width;
    }
    // the parent's unit per key: MIN(unit) GROUP BY the target column (a unique key has one)
    int parentWidth = pushWithUnit(b, parent);
    b.aggregate(b.groupKey(b.field(p.target().column())), b.min("u", b.field(parentWidth)));
    b.join(JoinRelType.LEFT, b.equals(b.field(2, 0, p.column()), b.field(2, 1, 0)));
    List<RexNode> out = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      out.add(b.field(i));
    }
    out.add(b.field(width + 1));
    b.project(out);
    return width;
  }

  private RelDataType unitType(RelBuilder b) {
    TableSpec unitTable = dataset.tableSpec(dataset.table()).orElseThrow();
    String unitColumn = ((PrivacyUnit.ByColumn) dataset.unit()).column();
    b.scan(unitTable.name());
    RelDataType t = b.field(unitColumn).getType();
    b.build();
    return t;
  }

  /** The joined relation as a single-table dataset: every column renamed table__column, the unit appended. */
  private Dataset view(RelDataType viewType) {
    List<Column> columns = new ArrayList<>();
    for (Leaf l : leaves) {
      for (String c : l.scan().getRowType().getFieldNames()) {
        Optional<Column> declared = l.spec().column(c);
        Column d = declared.orElseThrow();
        columns.add(new Column(l.spec().name() + "__" + c, d.type(), d.lower(), d.upper(), d.publicValues(),
            Optional.empty(), d.nullable()));
      }
    }
    Column unit = dataset.column(((PrivacyUnit.ByColumn) dataset.unit()).column()).orElseThrow();
    columns.add(new Column(UNIT, unit.type(), unit.lower(), unit.upper(), Optional.empty()));
    return new Dataset(dataset.name(), VIEW, dataset.source(), new PrivacyUnit.ByColumn(UNIT),
        dataset.maxGroupsContributed(), dataset.maxRowsPerGroup(), dataset.budget(), dataset.defaults(),
        dataset.ledger(), columns, dataset.yamlPath(), dataset.limits(), dataset.maxRowsPerUnit(),
        dataset.accounting(), List.of());
  }
}
