import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local on the loopback interface only. Its command line has no bind address (its Jetty
 * listens on every interface), so this launcher builds the server from the same arguments, binds its
 * connectors to 127.0.0.1 before they open, and starts it. Run in source-file mode (java File.java)
 * with DynamoDBLocal.jar on the class path: local/dynamodb-loopback.ts.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Server server;
    try {
      Field field = DynamoDBProxyServer.class.getDeclaredField("server");
      field.setAccessible(true);
      server = (Server) field.get(proxy);
    } catch (ReflectiveOperationException | ClassCastException error) {
      System.err.println("LoopbackDynamoDbLocal: this DynamoDB Local has no Jetty server field to bind (" + error + ")");
      System.exit(3);
      return;
    }
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector)) {
        System.err.println("LoopbackDynamoDbLocal: unexpected connector " + connector.getClass().getName());
        System.exit(3);
      }
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
  }
}
