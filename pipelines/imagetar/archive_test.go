package imagetar

import (
	"archive/tar"
	"os"
	"testing"
)

func TestIndexArchiveDuplicates(t *testing.T) {
	symlinkMember := tarMember{name: "a", typeflag: tar.TypeSymlink}
	tests := []struct {
		name     string
		members  []tarMember
		wantErr  string // "" when indexArchive succeeds
		wantType byte   // of member "a" when indexArchive succeeds
	}{
		{
			name:    "two regular files",
			members: []tarMember{fileMember("a", []byte("first")), fileMember("./a", []byte("second"))},
			wantErr: `tar member "a" appears twice`,
		},
		{
			name:    "regular file then directory",
			members: []tarMember{fileMember("a", []byte("first")), dirMember("a/")},
			wantErr: `tar member "a" appears twice`,
		},
		{
			name:    "symlink then regular file",
			members: []tarMember{symlinkMember, fileMember("a", []byte("second"))},
			wantErr: `tar member "a" appears twice`,
		},
		{
			name:     "two directories",
			members:  []tarMember{dirMember("a/"), dirMember("./a/")},
			wantType: tar.TypeDir,
		},
		{
			name:     "directory then regular file",
			members:  []tarMember{dirMember("a/"), fileMember("a", []byte("second"))},
			wantType: tar.TypeReg,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(writeTarball(t, tt.members))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()

			a, err := indexArchive(f)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("indexArchive error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("indexArchive: %v", err)
			}
			m, ok := a.Lookup("a")
			if !ok {
				t.Fatal(`member "a" is not in the index`)
			}
			if m.Typeflag != tt.wantType {
				t.Errorf("member a has tar type %q, want %q", m.Typeflag, tt.wantType)
			}
			if tt.wantType != tar.TypeReg {
				return
			}
			data, err := a.readFile("a")
			if err != nil {
				t.Fatalf("readFile: %v", err)
			}
			if string(data) != "second" {
				t.Errorf("member a contains %q, want the later member's %q", data, "second")
			}
		})
	}
}
