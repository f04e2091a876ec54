; Inno Setup script for the Windows installer. Called by packaging/build.py as
;   iscc /DAppVersion=<v> /DSourceDir=<dist\desktop-quiz> /DOutputDir=<dist> desktop-quiz.iss
; User data lives in %APPDATA%\desktop-quiz and is never touched by install/uninstall.
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6C1B3A0E-6F55-4D5B-9D0C-8E5B4B1F2A77}
AppName=Desktop Quiz
AppVersion={#AppVersion}
AppPublisher=desktop-quiz developers
DefaultDirName={autopf}\Desktop Quiz
DefaultGroupName=Desktop Quiz
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
OutputDir={#OutputDir}
OutputBaseFilename=desktop-quiz-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\desktop-quiz.exe
WizardStyle=modern

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{autoprograms}\Desktop Quiz"; Filename: "{app}\desktop-quiz.exe"
Name: "{autodesktop}\Desktop Quiz"; Filename: "{app}\desktop-quiz.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\desktop-quiz.exe"; Description: "Launch Desktop Quiz"; Flags: nowait postinstall skipifsilent
