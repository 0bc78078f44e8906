@carepath
Feature: Neutrophil engraftment from daily counts
  Engraftment is the first of three consecutive days with an ANC of 500/µL or more, counted from
  day 1 after the transplant. A day without a count is unknown, never a pass, so a gap can leave the
  day open; a work-up for graft failure is due when there is no engraftment by day 28.

  Background:
    Given the protocol "docs/examples/engraftment.care"
    And the patients in "docs/examples/engraftment.yaml"

  Scenario: Three good days in a row: engrafted on the first of them
    When the protocol is evaluated
    Then the decision "neutrophil_engraftment" for patient "P" is "10"
    And the decision "graft_failure_workup" for patient "P" is "no"
    And the explanation for patient "P" shows "anc on day 10 520 /µL ≥ 500 /µL"

  Scenario: A missing count right before the good days leaves the day open, not the work-up
    When the protocol is evaluated
    Then the decision "neutrophil_engraftment" for patient "Q" is "undetermined"
    And the explanation for patient "Q" shows "between day 9 and day 10"
    And the decision "graft_failure_workup" for patient "Q" is "no"

  Scenario: No engraftment in 28 recorded days calls for a work-up
    When the protocol is evaluated
    Then the decision "graft_failure_workup" for patient "R" is "yes"
    And the explanation for patient "R" shows "not before day 29"

  Scenario: Counts that stop early decide nothing yet
    When the protocol is evaluated
    Then patient "S" is undetermined and needs "anc"
    And the decision "graft_failure_workup" for patient "S" is "undetermined"

  Scenario: A dip after two good days postpones engraftment
    Given a patient "T" with:
      | anc | {unit: /uL, values: {1: 100, 2: 600, 3: 700, 4: 300, 5: 800, 6: 900, 7: 950}} |
    When the protocol is evaluated
    Then the decision "neutrophil_engraftment" for patient "T" is "5"

  Scenario: A site that counts two consecutive days
    Given the parameter "engraftment_days" is "2"
    And a patient "T" with:
      | anc | {unit: /uL, values: {1: 100, 2: 600, 3: 700, 4: 300, 5: 800, 6: 900, 7: 950}} |
    When the protocol is evaluated
    Then the decision "neutrophil_engraftment" for patient "T" is "2"
    And the decision "neutrophil_engraftment" for patient "P" is "10"
