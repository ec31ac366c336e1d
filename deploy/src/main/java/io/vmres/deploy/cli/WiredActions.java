package io.vmres.deploy.cli;

import io.vmres.deploy.Lifecycle;

/**
 * Connects each subcommand to the code that does its work: one line per subcommand. A line that
 * still throws {@link NotWiredException} marks a subcommand not yet built.
 */
public final class WiredActions implements Actions {

  @Override
  public int demo(DemoArgs args, Lifecycle lifecycle) {
    throw new NotWiredException("demo"); // WIRE: the embedded runtime's demo
  }

  @Override
  public int replay(ReplayArgs args, Lifecycle lifecycle) {
    throw new NotWiredException("replay"); // WIRE: the job's replay entry point
  }

  @Override
  public int record(RecordArgs args, Lifecycle lifecycle) {
    throw new NotWiredException("record"); // WIRE: the recorder
  }

  @Override
  public int confirm(ConfirmArgs args, Lifecycle lifecycle) {
    throw new NotWiredException("confirm"); // WIRE: publish an OperatorConfirm
  }

  @Override
  public int connector(ConnectorArgs args, Lifecycle lifecycle) {
    throw new NotWiredException("connector"); // WIRE: the connector runtime
  }
}
