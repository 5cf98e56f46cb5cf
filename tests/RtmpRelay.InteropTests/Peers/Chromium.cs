using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// Debian's headless chromium driven through Debian's chromedriver with Selenium, for the relay's status page. Nothing
/// is downloaded: the browser is <c>chromium</c> (package chromium) and the driver <c>chromedriver</c> (package
/// chromium-driver), both found on PATH (/usr/bin), so Selenium Manager is never asked for either; a missing one fails
/// the test with install advice (<see cref="PeerNotFoundException"/>), never skips it. Each instance has a fresh
/// profile folder under the test's folder, a fixed 1280x800 window (screenshots comparable from run to run), and no
/// network use of its own (no QUIC, background networking, component updates or sync). Its chromedriver log and the
/// page's console are in <see cref="Describe"/>. <see cref="Dispose"/> quits the browser and stops chromedriver; if
/// either hangs, the chromedriver process tree is killed by its id (also when the test host exits).
/// </summary>
internal sealed class Chromium : IDisposable
{
    /// <summary>The window size the browser starts with (and so every screenshot's).</summary>
    public const int WindowWidth = 1280;

    public const int WindowHeight = 800;

    private static readonly ConcurrentDictionary<int, byte> LiveDrivers = new();
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly ChromeDriverService _service;
    private readonly ChromeDriver _driver;
    private readonly int _driverProcessId;
    private readonly List<string> _console = [];
    private int _disposed;
    private volatile bool _quit;

    static Chromium()
    {
        // A test that never got to dispose its browser: kill what is left when the test host exits.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var pid in LiveDrivers.Keys)
            {
                KillTree(pid);
            }
        };
    }

    private Chromium(string name, string workDirectory, string profileDirectory, ChromeDriverService service, ChromeDriver driver)
    {
        Name = name;
        WorkDirectory = workDirectory;
        ProfileDirectory = profileDirectory;
        _service = service;
        _driver = driver;
        _driverProcessId = service.ProcessId;
        LiveDrivers.TryAdd(_driverProcessId, 0);
    }

    public string Name { get; }

    public string WorkDirectory { get; }

    public string ProfileDirectory { get; }

    public string DriverLogPath => Path.Combine(WorkDirectory, Name + "-chromedriver.log");

    /// <summary>The Selenium driver, for what this class does not wrap.</summary>
    public IWebDriver Driver => _driver;

    /// <summary>The browser executable (Debian package chromium).</summary>
    public static string BrowserPath => PeerBinaries.Require("chromium", "chromium");

    /// <summary>The driver executable (Debian package chromium-driver).</summary>
    public static string DriverPath => PeerBinaries.Require("chromedriver", "chromium-driver");

    /// <summary>The browser's command-line arguments (<paramref name="profileDirectory"/>: its fresh --user-data-dir).</summary>
    public static IReadOnlyList<string> Arguments(string profileDirectory) =>
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        $"--window-size={WindowWidth},{WindowHeight}",
        $"--user-data-dir={profileDirectory}",
    ];

    /// <summary>Starts chromedriver and, through it, a headless chromium with an empty page; fails with the driver's log when either does not start.</summary>
    public static Chromium Start(string workDirectory, string name = "chromium")
    {
        var browser = BrowserPath;
        var driverPath = DriverPath;
        var profile = Path.Combine(workDirectory, name + "-profile");
        Directory.CreateDirectory(profile);
        var logPath = Path.Combine(workDirectory, name + "-chromedriver.log");

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.LogPath = logPath;
        service.HostName = "127.0.0.1";
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;

        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments(Arguments(profile));
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);

        ChromeDriver driver;
        try
        {
            driver = new ChromeDriver(service, options, CommandTimeout);
        }
        catch (Exception e) when (e is WebDriverException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            var pid = SafeProcessId(service);
            if (pid > 0)
            {
                KillTree(pid);
            }

            service.Dispose();
            throw new InvalidOperationException(
                $"chromedriver ({driverPath}) could not start {browser}: {e.Message}\n" +
                "chromium and chromium-driver must be the same version (Debian ships them together: apt-get install chromium chromium-driver).\n" +
                $"--- {name} chromedriver log ---\n{ManagedProcess.Tail(ReadShared(logPath), 60)}",
                e);
        }

        driver.Manage().Timeouts().PageLoad = CommandTimeout;
        driver.Manage().Timeouts().AsynchronousJavaScript = CommandTimeout;
        return new Chromium(name, workDirectory, profile, service, driver);
    }

    /// <summary>Loads <paramref name="url"/> (waits for the document to load, not for what its scripts fetch).</summary>
    public void Navigate(Uri url) => _driver.Navigate().GoToUrl(url);

    /// <summary>Runs <paramref name="script"/> in the page (arguments as <c>arguments[i]</c>) and returns what it returns.</summary>
    public object? Script(string script, params object[] arguments) => _driver.ExecuteScript(script, arguments);

    /// <summary>The trimmed text content of the first element matching <paramref name="cssSelector"/>, or null when there is none.</summary>
    public string? TextOf(string cssSelector) =>
        Script("var e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", cssSelector) as string;

    /// <summary>Whether an element matching <paramref name="cssSelector"/> exists and is rendered (not hidden, not display:none).</summary>
    public bool IsShown(string cssSelector) =>
        Script("var e = document.querySelector(arguments[0]); return !!e && !e.closest('[hidden]') && e.getClientRects().length > 0;", cssSelector) is true;

    /// <summary>What the page shows as text (document.body.innerText), for failure messages.</summary>
    public string PageText() => Script("return document.body ? document.body.innerText : '';") as string ?? "";

    /// <summary>
    /// Polls <paramref name="probe"/> every 100 ms until it returns a value (not null), and returns that value; after
    /// <paramref name="timeout"/>, fails with <paramref name="what"/>, what the page shows, and a screenshot saved beside
    /// the test assembly. An element replaced or removed while the probe looked at it counts as "not yet".
    /// </summary>
    public async Task<T> WaitForAsync<T>(string what, TimeSpan timeout, Func<T?> probe)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is StaleElementReferenceException or NoSuchElementException or ElementNotInteractableException or ElementClickInterceptedException)
            {
                last = e;
            }

            if (clock.Elapsed > timeout)
            {
                var shot = TrySaveScreenshot(Path.Combine(AppContext.BaseDirectory, $"{Name}-failure-{DateTime.UtcNow:HHmmss}.png"));
                Assert.Fail(
                    $"Timed out after {timeout.TotalSeconds:0} s waiting until {what}." +
                    (last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}") +
                    $"\n--- the page shows ---\n{SafePageText()}\n" +
                    (shot is null ? "" : $"--- screenshot: {shot} ---\n"));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>As <see cref="WaitForAsync{T}"/>, for a condition.</summary>
    public Task WaitUntilAsync(string what, TimeSpan timeout, Func<bool> condition) =>
        WaitForAsync(what, timeout, () => condition() ? "" : null);

    /// <summary>
    /// Clicks the first element matching <paramref name="cssSelector"/> as a user would (it must be visible and
    /// enabled), waiting (bounded) until there is one to click.
    /// </summary>
    public Task ClickAsync(string cssSelector, TimeSpan timeout) =>
        WaitUntilAsync($"{cssSelector} can be clicked", timeout, () =>
        {
            var element = _driver.FindElements(By.CssSelector(cssSelector)).FirstOrDefault();
            if (element is null || !element.Displayed || !element.Enabled)
            {
                return false;
            }

            element.Click();
            return true;
        });

    /// <summary>Types <paramref name="text"/> into the element matching <paramref name="cssSelector"/> (visible, enabled), waiting (bounded) until there is one.</summary>
    public Task TypeAsync(string cssSelector, string text, TimeSpan timeout) =>
        WaitUntilAsync($"{cssSelector} can be typed into", timeout, () =>
        {
            var element = _driver.FindElements(By.CssSelector(cssSelector)).FirstOrDefault();
            if (element is null || !element.Displayed || !element.Enabled)
            {
                return false;
            }

            element.Clear();
            element.SendKeys(text);
            return true;
        });

    /// <summary>
    /// Saves a PNG screenshot to <paramref name="path"/> (folders created): of the window, or cropped to the first
    /// element matching <paramref name="cssSelector"/> (e.g. "body": the page's content without the empty rest).
    /// </summary>
    public void SaveScreenshot(string path, string? cssSelector = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var shot = cssSelector is null
            ? _driver.GetScreenshot()
            : ((ITakesScreenshot)_driver.FindElement(By.CssSelector(cssSelector))).GetScreenshot();
        shot.SaveAsFile(path);
    }

    /// <summary>The chromedriver log's tail and the page's console messages so far, for the test output.</summary>
    public string Describe()
    {
        CollectConsole();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"--- {Name}: {BrowserPathOrMissing()} {string.Join(' ', Arguments(ProfileDirectory))} ---\n");
        text.Append(CultureInfo.InvariantCulture, $"--- {Name} page console ({_console.Count} messages) ---\n");
        foreach (var line in _console.TakeLast(60))
        {
            text.Append(line).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"--- {Name} chromedriver log ---\n{ManagedProcess.Tail(ReadShared(DriverLogPath), 40)}");
        return text.ToString();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        CollectConsole();
        var quit = Task.Run(() =>
        {
            try
            {
                _driver.Quit();
            }
            catch (WebDriverException)
            {
                // The browser is gone already, or hangs: the kill below ends it.
            }
        });
        if (!quit.Wait(TimeSpan.FromSeconds(15)))
        {
            KillTree(_driverProcessId);
        }

        _quit = true;

        try
        {
            _driver.Dispose();
            _service.Dispose();
        }
        catch (WebDriverException)
        {
        }
        finally
        {
            if (IsRunning(_driverProcessId))
            {
                KillTree(_driverProcessId);
            }

            LiveDrivers.TryRemove(_driverProcessId, out _);
        }
    }

    private void CollectConsole()
    {
        if (_quit)
        {
            return;
        }

        // chromedriver hands out each console message once: keep them here for every later Describe.
        try
        {
            foreach (var entry in _driver.Manage().Logs.GetLog(LogType.Browser))
            {
                _console.Add($"{entry.Timestamp:HH:mm:ss.fff} {entry.Level}: {entry.Message}");
            }
        }
        catch (Exception e) when (e is WebDriverException or InvalidOperationException or NullReferenceException or ObjectDisposedException)
        {
            // The session is over (or the log is not offered): keep what was collected.
        }
    }

    private string SafePageText()
    {
        try
        {
            return PageText();
        }
        catch (WebDriverException e)
        {
            return $"(could not read the page: {e.Message})";
        }
    }

    private string? TrySaveScreenshot(string path)
    {
        try
        {
            SaveScreenshot(path);
            return path;
        }
        catch (Exception e) when (e is WebDriverException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string BrowserPathOrMissing()
    {
        try
        {
            return BrowserPath;
        }
        catch (PeerNotFoundException)
        {
            return "chromium (missing)";
        }
    }

    private static int SafeProcessId(DriverService service)
    {
        try
        {
            return service.ProcessId;
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException)
        {
            return 0;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    // chromedriver and everything it started (the browser and its helpers), by chromedriver's process id.
    private static void KillTree(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "(no chromedriver log)";
        }
    }
}
