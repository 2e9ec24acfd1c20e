namespace HeyGenAvatarBot.Tests;

/// <summary>
/// <c>--avatar bey</c> before anything starts: every missing piece (the Beyond Presence key, the LiveKit room, the
/// loopback SFU's python) is reported at once with what to do, the run exits 2, and nothing billed is asked for.
/// </summary>
public sealed class BeyModePreflightTests
{
    private const string BeyKey = "bey-key-never-printed-0123456789";
    private const string Secret = "lk-secret-never-printed-0123456789";

    [Fact]
    public async Task In_a_LiveKit_room_without_keys_the_bey_key_and_the_room_settings_are_reported_and_the_offline_mode_suggested()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string directory = Path.Combine(Path.GetTempPath(), "voice-bot-bey-" + Guid.NewGuid().ToString("N"));

        int exit = await BotCommand.RunAsync(["--avatar", "bey", "--engines", "local", "--output", directory], output, error, _ => null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("BEY_API_KEY").And.Contain("--scripted --avatar bey")
            .And.Contain("--avatar bey needs your LiveKit server's URL: set LIVEKIT_URL").And.Contain("LIVEKIT_API_KEY").And.Contain("LIVEKIT_API_SECRET")
            .And.Contain("nothing was opened");
        output.ToString().Should().NotContain("Avatar :").And.NotContain("sessions:");
        Directory.Exists(directory).Should().BeFalse("no user token is written for a run that cannot start");
    }

    [Fact]
    public async Task With_the_bey_key_but_no_room_the_room_is_reported_and_no_secret_is_printed()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string>
        {
            [BeyondPresenceSettings.KeyVariable] = BeyKey,
            [LiveKitRoomSettings.KeyVariable] = "APIkey",
            [LiveKitRoomSettings.SecretVariable] = Secret,
        };

        int exit = await BotCommand.RunAsync(["--scripted", "--avatar", "bey", "--engines", "local"], output, error, environment.GetValueOrDefault, CancellationToken.None);

        exit.Should().Be(2, "a keyed Beyond Presence worker needs a LiveKit room to join, even when the user's side is scripted");
        error.ToString().Should().Contain("LIVEKIT_URL").And.NotContain("BEY_API_KEY", "the key was given")
            .And.NotContain(BeyKey).And.NotContain(Secret);
        output.ToString().Should().NotContain(BeyKey).And.NotContain(Secret);
    }

    [Fact]
    public async Task Offline_without_the_loopback_servers_python_the_run_says_which_prerequisite_script_to_run()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new Dictionary<string, string> { [LoopbackSfuLauncher.PythonVariable] = "/nonexistent/python3" };

        int exit = await BotCommand.RunAsync(["--scripted", "--avatar", "bey", "--engines", "local"], output, error, environment.GetValueOrDefault, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("loopback LiveKit server").And.Contain("python3-aiortc").And.Contain("build/prereqs/20-livekit-native.sh")
            .And.Contain("/nonexistent/python3");
        output.ToString().Should().NotContain("Avatar :");
    }

    [Fact]
    public async Task The_HeyGen_product_options_are_refused_with_bey()
    {
        var error = new StringWriter();

        int exit = await BotCommand.RunAsync(["--scripted", "--avatar", "bey", "--interactive"], new StringWriter(), error, _ => null, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("do not go with --avatar bey");
    }

    [Fact]
    public async Task A_bad_bey_api_url_is_refused_before_anything_starts()
    {
        var error = new StringWriter();
        var environment = new Dictionary<string, string> { [BeyondPresenceSettings.KeyVariable] = BeyKey, [BeyondPresenceSettings.UrlVariable] = "api.bey.dev" };

        int exit = await BotCommand.RunAsync(["--avatar", "bey", "--engines", "local"], new StringWriter(), error, environment.GetValueOrDefault, CancellationToken.None);

        exit.Should().Be(2);
        error.ToString().Should().Contain("BEY_API_URL must be an absolute https:// URL").And.NotContain(BeyKey);
    }

    [Fact]
    public void The_settings_print_whether_a_key_is_set_never_the_key()
    {
        var settings = BeyondPresenceSettings.FromEnvironment(apiKey: null, name => name == BeyondPresenceSettings.KeyVariable ? BeyKey : null);

        settings.ApiKey.Should().Be(BeyKey);
        settings.ToString().Should().Contain("API key set").And.NotContain(BeyKey);
        new BotOptions { Provider = AvatarProvider.Bey, Bey = settings, OutputDirectory = "out" }.ToString().Should().Contain("Avatar = Bey").And.NotContain(BeyKey);
        BeyondPresenceSettings.FromEnvironment("from-the-command-line", _ => BeyKey).ApiKey.Should().Be("from-the-command-line", "--api-key wins over the environment");
    }
}
