namespace RtmpRelay.Hosting;

/// <summary>
/// Logs every task exception nobody observed (a fire-and-forget that failed): such a bug is otherwise silent, and
/// the soak test counts these lines.
/// </summary>
internal sealed partial class UnobservedTaskExceptions(ILogger<UnobservedTaskExceptions> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        TaskScheduler.UnobservedTaskException -= OnUnobserved;
        return Task.CompletedTask;
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        LogUnobserved(logger, e.Exception);
        e.SetObserved();
    }

    [LoggerMessage(503, LogLevel.Error, "Unobserved task exception")]
    private static partial void LogUnobserved(ILogger logger, Exception exception);
}
