using RtmpRelay.LoadTest;

// rtmprelay-loadtest: see LoadTestOptions.Usage (--help).
LoadTestOptions options;
try
{
    options = LoadTestOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(LoadTestOptions.Usage);
    return 0;
}
if (options.PrintRelayArgs)
{
    Console.WriteLine(string.Join(' ', options.RelayDestinationArgs(Enumerable.Range(options.SinkPort, options.Destinations).ToArray()).Select(a => $"\"{a}\"")));
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop cleanly (publishers, sinks and a started relay are closed); second: exit at once.
    e.Cancel = !cancel.IsCancellationRequested;
    cancel.Cancel();
};
try
{
    return await LoadTestRun.RunAsync(options, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
catch (Exception ex) when (ex is IOException or InvalidOperationException or InvalidDataException or System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"load test failed: {ex.Message}");
    return 1;
}
