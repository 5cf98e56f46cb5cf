using RtmpRelay.Hosting;

// Socket completions run their continuation in place instead of hopping to the thread pool. Read once, when the
// first socket is made, so it is set before anything else. Safe because nothing in the relay blocks a thread.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

NativeMemory.LimitMallocArenas();

// An invalid setting ends the relay with exit code 2 and one line per problem on stderr, naming the key and its value:
// some are checked from configuration before the host is built, the rest are read out of what building and starting
// it threw (options validation, a port in use, a certificate file). Any other exception is a bug and keeps its stack.
IConfiguration? configuration = null;
try
{
    // A published build's content root is its own folder (appsettings.json travels with it), from any working directory.
    var builder = WebApplication.CreateBuilder(RelayHostBuilderExtensions.CreateOptions(args));
    // Type=notify and journal log levels under systemd; nothing elsewhere. SIGTERM drains (see AddRtmpRelay).
    builder.Host.UseSystemd();
    configuration = builder.Configuration;
    builder.AddRtmpRelay();
    builder.AddStartupSummary();
    if (StartupErrors.Check(builder.Configuration, builder.Environment.ContentRootPath) is { Count: > 0 } errors)
    {
        return StartupExtensions.ReportConfigurationErrors(errors);
    }
    var app = builder.Build();
    app.MapRtmpRelay();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupErrors.TryDescribe(ex, configuration, out var lines))
{
    return StartupExtensions.ReportConfigurationErrors(lines);
}
