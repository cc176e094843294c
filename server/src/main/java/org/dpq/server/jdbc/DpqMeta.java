package org.dpq.server.jdbc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.MetaImpl;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.remote.TypedValue;
import org.dpq.client.ErrorCode;
import org.dpq.client.Wire;
import org.dpq.engine.catalog.Column;
import org.dpq.engine.catalog.Dataset;

/**
 * Avatica's {@link org.apache.calcite.avatica.Meta} for one authenticated request of one principal. Owns what a JDBC
 * client can see and do: the datasets served to the caller as schemas, each with its one table and declared columns
 * (no data, no statistics), and a {@code SELECT} answered only through {@link JdbcCaller#query}, i.e. exactly as
 * the HTTP API answers it (checks, noise, release, charge to the caller's allocation). Connection state lives in
 * {@link JdbcSessions}, bound to the principal; this object lives for one request.
 */
final class DpqMeta extends MetaImpl {
  /** Connection properties a client may set (in the driver's Properties or the url's query string). */
  static final List<String> PROPERTIES = List.of("dataset", "epsilon", "delta", "mechanism");

  private final JdbcCaller caller;
  private final JdbcSessions sessions;
  private final Map<String, String> urlProperties;

  DpqMeta(JdbcCaller caller, JdbcSessions sessions, Map<String, String> urlProperties) {
    super(null);
    this.caller = caller;
    this.sessions = sessions;
    this.urlProperties = urlProperties;
  }

  // ---------------------------------------------------------------------------------------------- connections

  @Override
  public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    Map<String, String> props = new LinkedHashMap<>(urlProperties);
    if (info != null) {
      // Only dpq's own properties are kept: user, password and anything else the driver forwards are dropped.
      info.forEach((k, v) -> {
        if (PROPERTIES.contains(k) && v != null) {
          props.put(k, v);
        }
      });
    }
    JdbcSessions.Session s = sessions.open(ch.id, caller.name(), props);
    synchronized (s) {
      s.schema = defaultDataset(props.get("dataset"));
    }
  }

  /** The dataset a connection starts in: the one it names, else the caller's only one, else none yet. */
  private String defaultDataset(String named) {
    if (named != null) {
      return named;
    }
    List<Dataset> mine = caller.datasets();
    return mine.size() == 1 ? mine.get(0).name() : null;
  }

  @Override
  public void closeConnection(ConnectionHandle ch) {
    sessions.close(ch.id, caller.name());
  }

  @Override
  public ConnectionProperties connectionSync(ConnectionHandle ch, ConnectionProperties props) {
    JdbcSessions.Session s = sessions.owned(ch.id, caller.name());
    synchronized (s) {
      if (props.getSchema() != null) {
        s.schema = props.getSchema();
      }
      return new ConnectionPropertiesImpl(true, true, Connection.TRANSACTION_NONE, null, s.schema);
    }
  }

  @Override
  public StatementHandle createStatement(ConnectionHandle ch) {
    return new StatementHandle(ch.id, sessions.owned(ch.id, caller.name()).nextStatementId(), null);
  }

  @Override
  public void closeStatement(StatementHandle h) {
    JdbcSessions.Session s = sessions.owned(h.connectionId, caller.name());
    synchronized (s) {
      s.prepared.remove(h.id);
    }
  }

  @Override
  public void commit(ConnectionHandle ch) {
    sessions.owned(ch.id, caller.name()); // read-only and auto-commit: nothing to do
  }

  @Override
  public void rollback(ConnectionHandle ch) {
    sessions.owned(ch.id, caller.name());
  }

  // ------------------------------------------------------------------------------------------------- metadata

  @Override
  public Map<DatabaseProperty, Object> getDatabaseProperties(ConnectionHandle ch) {
    sessions.owned(ch.id, caller.name());
    Map<DatabaseProperty, Object> m = new EnumMap<>(DatabaseProperty.class);
    m.put(DatabaseProperty.GET_DATABASE_PRODUCT_NAME, "dpq");
    m.put(DatabaseProperty.GET_DATABASE_PRODUCT_VERSION, version());
    m.put(DatabaseProperty.GET_DEFAULT_TRANSACTION_ISOLATION, Connection.TRANSACTION_NONE);
    m.put(DatabaseProperty.GET_STRING_FUNCTIONS, "");
    m.put(DatabaseProperty.GET_NUMERIC_FUNCTIONS, "");
    m.put(DatabaseProperty.GET_SYSTEM_FUNCTIONS, "");
    m.put(DatabaseProperty.GET_TIME_DATE_FUNCTIONS, "");
    return m;
  }

  private static String version() {
    String v = DpqMeta.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public MetaResultSet getCatalogs(ConnectionHandle ch) {
    return resultSet(ch, MetaCatalog.class, List.of());
  }

  @Override
  public MetaResultSet getSchemas(ConnectionHandle ch, String catalog, Pat schemaPattern) {
    List<MetaSchema> rows = new ArrayList<>();
    if (catalog == null || catalog.isEmpty()) {
      for (Dataset d : caller.datasets()) {
        if (like(schemaPattern, d.name())) {
          rows.add(new MetaSchema(null, d.name()));
        }
      }
    }
    return resultSet(ch, MetaSchema.class, rows);
  }

  @Override
  public MetaResultSet getTables(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
      List<String> typeList) {
    List<MetaTable> rows = new ArrayList<>();
    boolean tables = typeList == null || typeList.stream().anyMatch("TABLE"::equalsIgnoreCase);
    if ((catalog == null || catalog.isEmpty()) && tables) {
      for (Dataset d : caller.datasets()) {
        if (like(schemaPattern, d.name()) && like(tableNamePattern, d.table())) {
          rows.add(new MetaTable(null, d.name(), d.table(), "TABLE"));
        }
      }
    }
    return resultSet(ch, MetaTable.class, rows);
  }

  @Override
  public MetaResultSet getColumns(ConnectionHandle ch, String catalog, Pat schemaPattern, Pat tableNamePattern,
      Pat columnNamePattern) {
    List<MetaColumn> rows = new ArrayList<>();
    if (catalog == null || catalog.isEmpty()) {
      for (Dataset d : caller.datasets()) {
        if (!like(schemaPattern, d.name()) || !like(tableNamePattern, d.table())) {
          continue;
        }
        int position = 0;
        for (Column c : d.columns()) {
          position++;
          if (like(columnNamePattern, c.name())) {
            JdbcTypes.Type t = JdbcTypes.of(c.type());
            rows.add(new MetaColumn(null, d.name(), d.table(), c.name(), t.sqlType(), t.name(), t.size(), null,
                t.radix(), DatabaseMetaData.columnNullable, null, position, "YES", "NO", "NO"));
          }
        }
      }
    }
    return resultSet(ch, MetaColumn.class, rows);
  }

  @Override
  public MetaResultSet getTableTypes(ConnectionHandle ch) {
    return resultSet(ch, MetaTableType.class, List.of(new MetaTableType("TABLE")));
  }

  @Override
  public MetaResultSet getTypeInfo(ConnectionHandle ch) {
    return resultSet(ch, MetaTypeInfo.class, List.of());
  }

  /** A JDBC LIKE pattern ({@code %}, {@code _}, {@code \} escapes); null matches everything. */
  static boolean like(Pat pattern, String name) {
    if (pattern == null || pattern.s == null) {
      return true;
    }
    StringBuilder re = new StringBuilder();
    String p = pattern.s;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\' && i + 1 < p.length()) {
        re.append(Pattern.quote(String.valueOf(p.charAt(++i))));
      } else if (c == '%') {
        re.append(".*");
      } else if (c == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    // Case-insensitive, as the engine resolves names (and as tools that upper-case identifiers expect).
    return Pattern.compile(re.toString(), Pattern.DOTALL | Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
        .matcher(name).matches();
  }

  /** A metadata result set in one frame, its columns and values read from the public fields of Avatica's rows. */
  private <E> MetaResultSet resultSet(ConnectionHandle ch, Class<E> rowType, List<E> rows) {
    JdbcSessions.Session s = sessions.owned(ch.id, caller.name());
    List<ColumnMetaData> columns = fieldMetaData(rowType).columns;
    List<Field> fields = new ArrayList<>();
    for (Field f : rowType.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        fields.add(f);
      }
    }
    List<Object> values = new ArrayList<>();
    for (E row : rows) {
      List<Object> v = new ArrayList<>();
      for (Field f : fields) {
        try {
          v.add(f.get(row));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
      values.add(v);
    }
    Signature signature = new Signature(columns, "", List.of(), Collections.emptyMap(), CursorFactory.LIST,
        StatementType.SELECT);
    return MetaResultSet.create(ch.id, s.nextStatementId(), true, signature, Frame.create(0, true, values));
  }

  // -------------------------------------------------------------------------------------------------- queries

  @Override
  public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
    JdbcSessions.Session s = sessions.owned(ch.id, caller.name());
    int id = s.nextStatementId();
    synchronized (s) {
      if (s.prepared.size() >= 256) {
        throw new JdbcRefusal(ErrorCode.USAGE, "too many open prepared statements on this connection; close some");
      }
      s.prepared.put(id, sql);
    }
    StatementHandle h = new StatementHandle(ch.id, id, null);
    h.signature = new Signature(List.of(), sql, List.of(), Collections.emptyMap(), CursorFactory.LIST,
        StatementType.SELECT);
    return h;
  }

  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      PrepareCallback callback) {
    return prepareAndExecute(h, sql, maxRowCount, -1, callback);
  }

  @Override
  public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount, int maxRowsInFirstFrame,
      PrepareCallback callback) {
    return run(h, sql, maxRowCount);
  }

  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, long maxRowsInFirstFrame)
      throws NoSuchStatementException {
    return execute(h, parameterValues, (int) Math.min(Integer.MAX_VALUE, maxRowsInFirstFrame));
  }

  @Override
  public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues, int maxRowsInFirstFrame)
      throws NoSuchStatementException {
    JdbcSessions.Session s = sessions.owned(h.connectionId, caller.name());
    String sql;
    synchronized (s) {
      sql = s.prepared.get(h.id);
    }
    if (sql == null) {
      throw new NoSuchStatementException(h);
    }
    if (parameterValues != null && !parameterValues.isEmpty()) {
      throw new JdbcRefusal(ErrorCode.USAGE, "parameters of a PreparedStatement are not supported over JDBC yet; "
          + "write the constants into the SQL");
    }
    return run(h, sql, -1);
  }

  /** Runs one query for the caller, as the HTTP API would, and returns its release as one result set. */
  private ExecuteResult run(StatementHandle h, String sql, long maxRowCount) {
    JdbcSessions.Session s = sessions.owned(h.connectionId, caller.name());
    String dataset;
    synchronized (s) {
      dataset = s.schema;
    }
    if (dataset == null) {
      throw new JdbcRefusal(ErrorCode.USAGE, "no dataset chosen for this connection: you may query "
          + caller.datasets().stream().map(Dataset::name).toList() + "; set the connection's schema "
          + "(Connection.setSchema, DBeaver's active schema) or add ?dataset=NAME to the url property");
    }
    Map<String, String> p = s.properties;
    Wire.QueryRequest request = new Wire.QueryRequest(sql, p.get("epsilon"), p.get("delta"), p.get("mechanism"));
    JdbcResult result = JdbcResult.of(caller.query(dataset, request), maxRowCount);
    Signature signature = new Signature(result.columns(), sql, List.of(), Collections.emptyMap(),
        CursorFactory.LIST, StatementType.SELECT);
    return new ExecuteResult(List.of(MetaResultSet.create(h.connectionId, h.id, false, signature,
        Frame.create(0, true, result.rows()))));
  }

  @Override
  public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount) {
    sessions.owned(h.connectionId, caller.name());
    return Frame.create(offset, true, List.of()); // every result is sent whole in its first frame
  }

  @Override
  public boolean syncResults(StatementHandle h, QueryState state, long offset) {
    sessions.owned(h.connectionId, caller.name());
    return false;
  }

  @Override
  public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands) {
    throw batches();
  }

  @Override
  public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> parameterValues) {
    throw batches();
  }

  private static JdbcRefusal batches() {
    return new JdbcRefusal(ErrorCode.USAGE, "batches are not supported: dpq answers one SELECT at a time, and "
        + "changes nothing");
  }

  @Override
  public Iterable<Object> createIterable(StatementHandle handle, QueryState state, Signature signature,
      List<TypedValue> parameterValues, Frame firstFrame) {
    return firstFrame == null ? List.of() : firstFrame.rows;
  }
}
