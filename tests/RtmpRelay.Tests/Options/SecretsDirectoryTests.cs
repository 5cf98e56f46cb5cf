using Microsoft.AspNetCore.Builder;
using RtmpRelay.Hosting;

namespace RtmpRelay.Tests.Options;

public class SecretsDirectoryTests
{
    [Fact]
    public void AddRtmpRelay_SecretsDirectory_KeysReadFromFilesNamedLikeTheKey()
    {
        var directory = Directory.CreateTempSubdirectory("rtmprelay-secrets-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "Relay__Applications__live__Publish__Keys__obs"), "s3cret-from-a-file\n");
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = [$"--{RelayHostBuilderExtensions.SecretsDirectoryKey}={directory.FullName}"],
                ContentRootPath = directory.FullName,
            });

            builder.AddRtmpRelay();

            Assert.Equal("s3cret-from-a-file", builder.Configuration["Relay:Applications:live:Publish:Keys:obs"]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
