using RtmpRelay.Logging;
using RtmpRelay.Transports.Tls;

namespace RtmpRelay.Hosting;

/// <summary>Says once, at start, what the relay listens on and what it did on its own (a development certificate).</summary>
internal sealed class StartupReport : IHostedService
{
    private readonly ILogger<StartupReport> _logger;
    private readonly bool _certificateCreated;

    public StartupReport(ILogger<StartupReport> logger, bool certificateCreated)
    {
        _logger = logger;
        _certificateCreated = certificateCreated;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_certificateCreated)
        {
            TlsLog.DevelopmentCertificateCreated(_logger, DevelopmentCertificate.DefaultCertificatePath, DevelopmentCertificate.DefaultKeyPath);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
