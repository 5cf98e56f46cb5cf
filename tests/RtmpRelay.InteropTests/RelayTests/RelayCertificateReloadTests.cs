using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// The RTMPS certificate is Kestrel's endpoint configuration: replacing the PEM files (a renewal) changes the
/// certificate new connections get, without a restart.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayCertificateReloadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Relay_CertificateFilesReplaced_NewCertificateServedWithoutRestart()
    {
        await using var rig = InteropRig.Create(output);
        var relay = await rig.StartRelayAsync([], RelayPublishTests.RelayLogging, RelayEndpoints.Allocate(rtmps: true));
        var port = relay.Endpoints.PortFor("rtmps");
        var before = await ServedFingerprintAsync(port);
        Assert.Equal(await FingerprintOfAsync(relay.CertificatePath), before, ignoreCase: true);

        // A renewal: new files written over the configured ones.
        var renewed = await OpenSslTool.MakeSelfSignedAsync(rig.WorkDirectory, "renewed");
        File.Copy(renewed.KeyPath, Path.Combine(relay.WorkDirectory, RelayEndpoints.DevKeyPath), overwrite: true);
        File.Copy(renewed.CertificatePath, relay.CertificatePath, overwrite: true);
        var expected = await FingerprintOfAsync(renewed.CertificatePath);

        var deadline = DateTime.UtcNow + ReloadTimeout;
        var served = before;
        while (!string.Equals(served, expected, StringComparison.OrdinalIgnoreCase) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            served = await ServedFingerprintAsync(port);
        }
        Assert.Equal(expected, served, ignoreCase: true);
        Assert.False(relay.HasExited);
    }

    private static async Task<string> FingerprintOfAsync(string certificatePath) =>
        (await OpenSslTool.Sha256FingerprintAsync(certificatePath)).Replace(":", "");

    /// <summary>SHA-256 fingerprint (hex, no separators) of the certificate a TLS handshake on the port presents.</summary>
    private static async Task<string> ServedFingerprintAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(5));
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }).WaitAsync(TimeSpan.FromSeconds(5));
        return Convert.ToHexString(SHA256.HashData(tls.RemoteCertificate!.GetRawCertData()));
    }
}
