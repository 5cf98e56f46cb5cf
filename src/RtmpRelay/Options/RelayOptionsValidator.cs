using Microsoft.Extensions.Options;
using RtmpRelay.Destinations;

namespace RtmpRelay.Options;

/// <summary>
/// Validation of every configuration: at start-up a broken destination URL or a nonsensical limit stops the relay; on a
/// reload it keeps the running configuration (see <see cref="RelayConfiguration"/>).
/// </summary>
internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions options)
    {
        var errors = new List<string>();
        if (options.BindingError is not null)
        {
            errors.Add($"Relay: {options.BindingError}");
        }
        if (options.ChunkSize is < 128 or > 0xFFFFFF)
        {
            errors.Add($"Relay:ChunkSize must be between 128 and 16777215 (is {options.ChunkSize}).");
        }
        if (options.SendQueueBytes < 64 * 1024)
        {
            errors.Add($"Relay:SendQueueBytes must be at least 65536 (is {options.SendQueueBytes}).");
        }
        var limits = options.Limits;
        if (limits.MaxMessageLength is < 1024 or > 0xFFFFFF)
        {
            errors.Add($"Relay:Limits:MaxMessageLength must be between 1024 and 16777215 (is {limits.MaxMessageLength}).");
        }
        if (limits.MaxPendingBytes < limits.MaxMessageLength)
        {
            errors.Add("Relay:Limits:MaxPendingBytes must be at least Relay:Limits:MaxMessageLength.");
        }
        if (limits.MaxChunkStreams < 4)
        {
            errors.Add("Relay:Limits:MaxChunkStreams must be at least 4.");
        }
        foreach (var (key, value) in new[]
                 {
                     ("HandshakeTimeout", limits.HandshakeTimeout), ("SessionStartTimeout", limits.SessionStartTimeout),
                     ("PublisherIdleTimeout", limits.PublisherIdleTimeout), ("IdleTimeout", limits.IdleTimeout),
                     ("WriteStallTimeout", limits.WriteStallTimeout), ("RequestHeadersTimeout", limits.RequestHeadersTimeout),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Relay:Limits:{key} must be positive (is {value}).");
            }
        }
        foreach (var (key, value) in new[]
                 {
                     ("MaxConnections", (long)limits.MaxConnections), ("MaxConnectionsPerAddress", limits.MaxConnectionsPerAddress),
                     ("MaxStreams", limits.MaxStreams), ("MaxPlayersPerStream", limits.MaxPlayersPerStream),
                     ("MaxDroppedGops", limits.MaxDroppedGops),
                 })
        {
            if (value < 1)
            {
                errors.Add($"Relay:Limits:{key} must be at least 1 (is {value}).");
            }
        }
        if (limits.MaxQueuedBytes < options.SendQueueBytes)
        {
            errors.Add($"Relay:Limits:MaxQueuedBytes must be at least Relay:SendQueueBytes (is {limits.MaxQueuedBytes}).");
        }
        if (limits.MinRequestBodyRate < 0)
        {
            errors.Add($"Relay:Limits:MinRequestBodyRate must not be negative (is {limits.MinRequestBodyRate}).");
        }
        if (limits.MaxAuthFailures < 1 || limits.AuthBanTime < TimeSpan.Zero)
        {
            errors.Add("Relay:Limits:MaxAuthFailures must be at least 1 and AuthBanTime not negative.");
        }
        var retry = options.Destinations.Retry;
        if (retry.InitialDelay <= TimeSpan.Zero || retry.MaxDelay < retry.InitialDelay)
        {
            errors.Add("Relay:Destinations:Retry:InitialDelay must be positive and MaxDelay at least InitialDelay.");
        }
        if (options.Destinations.ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add("Relay:Destinations:ConnectTimeout must be positive.");
        }
        var rtmpt = options.Rtmpt;
        if (rtmpt.MaxSessions < 1 || rtmpt.MaxSessionsPerClient < 1)
        {
            errors.Add("Relay:Rtmpt:MaxSessions and MaxSessionsPerClient must be at least 1.");
        }
        if (rtmpt.MaxRequestBodyBytes < 4096 || rtmpt.MaxBufferedBytes < 65536 || rtmpt.MaxResponseBytes < 1024)
        {
            errors.Add("Relay:Rtmpt: MaxRequestBodyBytes must be at least 4096, MaxBufferedBytes at least 65536, MaxResponseBytes at least 1024.");
        }
        if (rtmpt.SessionIdleTimeout <= TimeSpan.Zero || rtmpt.IdleHold < TimeSpan.Zero || rtmpt.IdleHold >= rtmpt.SessionIdleTimeout)
        {
            errors.Add("Relay:Rtmpt: SessionIdleTimeout must be positive, and IdleHold between 0 and SessionIdleTimeout.");
        }
        // The node id prefixes RTMPT session ids up to the first '.', so it may not contain one.
        if (options.Cluster.NodeId.Length is 0 or > 32 || !options.Cluster.NodeId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            errors.Add($"Relay:Cluster:NodeId must be 1-32 letters, digits or '-' (is '{options.Cluster.NodeId}').");
        }
        foreach (var (node, address) in options.Cluster.Nodes)
        {
            if (!Uri.TryCreate(address.Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"Relay:Cluster:Nodes:{node}:Address must be an absolute http or https URL.");
            }
        }
        options.Cluster.Validate(errors);
        foreach (var (app, application) in options.Applications)
        {
            if (application.ReconnectGrace < TimeSpan.Zero)
            {
                errors.Add($"Relay:Applications:{app}:ReconnectGrace must not be negative.");
            }
            ValidateAccess($"Relay:Applications:{app}:Publish", application.Publish, errors);
            ValidateAccess($"Relay:Applications:{app}:Play", application.Play, errors);
            foreach (var (destinationName, destination) in application.Destinations)
            {
                DestinationSpec.TryCreate(app, destinationName, destination, errors, out _);
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateAccess(string section, AccessOptions access, List<string> errors)
    {
        foreach (var (label, key) in access.Keys)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Any(char.IsControl))
            {
                errors.Add($"{section}:Keys:{label} is empty or has control characters.");
            }
        }
        foreach (var range in access.AllowFrom)
        {
            if (!System.Net.IPNetwork.TryParse(range, out _))
            {
                errors.Add($"{section}:AllowFrom: '{range}' is not a CIDR range (e.g. 10.0.0.0/8 or 2001:db8::/32).");
            }
        }
        var callback = access.Callback;
        if (!string.IsNullOrEmpty(callback.Url) && (!Uri.TryCreate(callback.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"{section}:Callback:Url must be an absolute http or https URL.");
        }
        if (callback.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:Callback:Timeout must be positive.");
        }
    }
}
